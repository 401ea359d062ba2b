"""Reading a config's YAML: size limits, a line for every key path, and ${VAR} interpolation in its safe places."""

from __future__ import annotations

import os
import re
from typing import Any

import yaml

from trellosync.errors import ConfigError

ENV_REFERENCE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
# Where ${VAR} is read from the environment: secrets and paths, never names or text (which may come from
# Trello: a member named "${TRELLO_TOKEN}" must stay a name). "$$" is a literal "$" everywhere.
INTERPOLATED = (
    ("trello",),
    ("database",),
    ("reports", "templates"),
    ("reports", "output"),
    ("reports", "dossier", "ladder"),
)
MAX_CONFIG_BYTES = 1_000_000
MAX_YAML_NODES = 100_000  # after expanding aliases; a config has a few hundred

LineMap = dict[tuple, int]


def escape_interpolation(value: Any) -> Any:
    """Text copied from Trello made literal in a config: every "$" in values doubled (keys are never interpolated)."""
    if isinstance(value, str):
        return value.replace("$", "$$")
    if isinstance(value, dict):
        return {k: escape_interpolation(v) for k, v in value.items()}
    if isinstance(value, list):
        return [escape_interpolation(v) for v in value]
    return value


def read_yaml(text: str, filename: str, problems: list[str]) -> tuple[dict[str, Any], LineMap]:
    """The document as a mapping and the line of each key path; duplicate keys noted in `problems`."""
    if len(text) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{filename}: larger than {MAX_CONFIG_BYTES} bytes; not a trellosync config")
    try:
        lines, raw = _parse(text, filename, problems)
    except RecursionError:
        raise ConfigError(f"{filename}: nested too deeply to be a trellosync config") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        what = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{filename}:{line}: not valid YAML: {what}", []) from None
    if raw is None:  # what a failed `trellosync init > FILE` leaves: an empty config would sync every board
        raise ConfigError(
            f"{filename}: empty, nothing is configured (a failed `trellosync init > FILE` leaves "
            "an empty file: run `trellosync init` again)"
        )
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{filename}:1: expected a mapping of settings at the top level, got {type(raw).__name__}"
        )
    return raw, lines


def _interpolated_here(path: tuple) -> bool:
    return any(path[: len(p)] == p for p in INTERPOLATED)


def expanded_size(root: yaml.Node, filename: str) -> int:
    """Nodes the document has once aliases are expanded (memoised, so an alias bomb is counted, not built)."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        if id(node) in sizes:
            return sizes[id(node)]
        sizes[id(node)] = 1  # a recursive alias counts once (PyYAML builds it as a cycle)
        if isinstance(node, yaml.MappingNode):
            n = 1 + sum(size(k) + size(v) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            n = 1 + sum(size(v) for v in node.value)
        else:
            n = 1
        sizes[id(node)] = min(n, MAX_YAML_NODES + 1)
        return sizes[id(node)]

    return size(root)


# libyaml's parser when PyYAML was built with it (five times faster), else PyYAML's own; both build the same nodes.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# PyYAML's C composer recurses without a limit: about 25,000 nested "[" or "- " (50 KB) overflow the C stack
# and kill the process (SIGSEGV), where PyYAML's own stops at Python's recursion limit ("nested too deeply").
# A document with fewer opening indicators than this cannot nest deeper, so it is safe to give to libyaml.
_C_NESTING_BOUND = 2_000


def _loader_for(text: str) -> type[yaml.SafeLoader]:
    """libyaml's loader when the text cannot nest deep enough to overflow it, else PyYAML's own."""
    openers = text.count("[") + text.count("{") + text.count("-") + text.count("?")
    return _LOADER if openers < _C_NESTING_BOUND else yaml.SafeLoader


def _parse(text: str, filename: str, problems: list[str]) -> tuple[LineMap, Any]:
    """One parse of the document: the line of each key path (duplicate keys noted) and the data."""
    loader = _loader_for(text)(text)
    try:
        root = loader.get_single_node()
        lines = _lines_of(root, filename, problems)
        return lines, (loader.construct_document(root) if root is not None else None)
    finally:
        loader.dispose()


def line_map(text: str, filename: str, problems: list[str]) -> LineMap:
    """Map each key path of the YAML document to its 1-based line; note duplicate keys."""
    return _parse(text, filename, problems)[0]


def _lines_of(root: yaml.Node | None, filename: str, problems: list[str]) -> LineMap:
    lines: LineMap = {}
    if root is not None and expanded_size(root, filename) > MAX_YAML_NODES:
        raise ConfigError(
            f"{filename}:1: the YAML expands to more than {MAX_YAML_NODES} values "
            "(aliases used as a bomb?); refused"
        )

    def walk(node: yaml.Node, path: tuple) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for k, v in node.value:
                key = k.value if isinstance(k, yaml.ScalarNode) else f"<{k.tag.rsplit(':', 1)[-1]} as a key>"
                if key in seen:
                    problems.append(f"{filename}:{k.start_mark.line + 1}: duplicate key {key!r}")
                seen.add(key)
                lines[path + (key,)] = k.start_mark.line + 1
                walk(v, path + (key,))
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                walk(v, path + (i,))

    if root is not None:
        walk(root, ())
    return lines


def line_for(lines: LineMap, loc: tuple) -> int:
    """The line of a key path, else of its nearest ancestor that has one (1 when none does)."""
    loc = tuple(loc)
    while loc and loc not in lines:
        loc = loc[:-1]
    return lines.get(loc, 1)


def interpolate(data: Any, path: tuple, lines: LineMap, filename: str, problems: list[str]) -> Any:
    """Replace ${VAR} and ${VAR:-default} from the environment in secrets and paths; "$$" means "$"."""
    if isinstance(data, dict):
        return {k: interpolate(v, path + (k,), lines, filename, problems) for k, v in data.items()}
    if isinstance(data, list):
        return [interpolate(v, path + (i,), lines, filename, problems) for i, v in enumerate(data)]
    if isinstance(data, str) and "$" in data:
        interpolate_here = _interpolated_here(path)

        def sub(m: re.Match) -> str:
            if m.group() == "$$":
                return "$"
            if not interpolate_here:
                return m.group()
            name, default = m.group(1), m.group(2)
            value = os.environ.get(name)
            if value is None:
                if default is not None:
                    return default
                where = ".".join(str(p) for p in path)
                problems.append(
                    f"{filename}:{line_for(lines, path)}: {where}: environment variable {name} is not set"
                )
                return ""
            return value

        if interpolate_here and "${" in ENV_REFERENCE.sub("", data):
            where = ".".join(str(p) for p in path)
            problems.append(
                f"{filename}:{line_for(lines, path)}: {where}: a malformed ${{...}} reference (write "
                "${NAME} or ${NAME:-default}, NAME of letters, digits and _; $$ for a literal $)"
            )
        return ENV_REFERENCE.sub(sub, data)
    return data
