"""config.example.yaml is the reference: it documents every key the config model accepts, and only those.

Convention: a key is documented when it appears in config.example.yaml either as YAML or commented out,
as a comment line `# key: value` (a lower-case identifier, a colon, a space or the end of the line) which,
uncommented in place, is YAML: '#' and one space are taken off, so `#   key:` is a key two columns deeper
than `# key:` above it. Every other comment is prose.

And every key the model accepts is read by the code: its name appears as an attribute (`.key`) in the
package outside the model that declares it, so a knob documented and validated but read by nothing
(as `reports.lunch_interval_days` was) fails here.
"""

from __future__ import annotations

import logging
import re
import types
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from trellosync.config.settings import RETIRED_KEYS, Config, parse_config

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "config.example.yaml"
COMMENTED_KEY = re.compile(r"^(\s*)#( +)([a-z_][a-z0-9_]*:(?: |$).*)$")


def uncommented(text: str) -> str:
    """The example with its commented-out keys turned into YAML (in place, at their own indentation)."""
    return (
        "\n".join(COMMENTED_KEY.sub(lambda m: m[1] + m[2][1:] + m[3], line) for line in text.splitlines())
        + "\n"
    )


def _models(annotation: Any) -> list[tuple[str, type[BaseModel]]]:
    """The models a field's value holds: ('', M) for M or M | None, ('[]', M) for list[M], ('*', M) for dict[str, M]."""
    origin = typing.get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [("", annotation)]
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _models(arg)]
    if origin is list:
        return [("[]", m) for _, m in _models(typing.get_args(annotation)[0])]
    if origin is dict:
        return [("*", m) for _, m in _models(typing.get_args(annotation)[1])]
    return []


def accepted(model: type[BaseModel], prefix: str = "") -> dict[str, type[BaseModel]]:
    """Every key path the model accepts ('boards[].lunches.every_days', 'people.*.name'), with its model."""
    out: dict[str, type[BaseModel]] = {}
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        path = f"{prefix}{name}"
        out[path] = model
        for how, sub in _models(field.annotation):
            out.update(accepted(sub, f"{path}{'.' if how == '' else '[].' if how == '[]' else '.*.'}"))
    return out


def documented(value: Any, model: type[BaseModel], prefix: str = "") -> tuple[set[str], list[str]]:
    """(key paths the example sets, keys it sets that the model does not accept)."""
    keys: set[str] = set()
    unknown: list[str] = []
    if not isinstance(value, dict):
        return keys, unknown
    for name, sub in value.items():
        path = f"{prefix}{name}"
        field = model.model_fields.get(name)
        if field is None or field.exclude:
            unknown.append(path)
            continue
        keys.add(path)
        for how, submodel in _models(field.annotation):
            items = (
                [sub]
                if how == ""
                else (
                    sub
                    if how == "[]" and isinstance(sub, list)
                    else list(sub.values())
                    if how == "*" and isinstance(sub, dict)
                    else []
                )
            )
            sep = "." if how == "" else "[]." if how == "[]" else ".*."
            for item in items:
                k, u = documented(item, submodel, f"{path}{sep}")
                keys |= k
                unknown += u
    return keys, unknown


def example() -> Any:
    return yaml.safe_load(uncommented(EXAMPLE.read_text(encoding="utf-8")))


def test_the_convention_finds_commented_keys_and_leaves_prose() -> None:
    text = "a:\n  b: 1\n  # c:          # note\n  #   e: 2\n  # Who wrote it: prose\n  #   url://x\n# d:\n"
    assert yaml.safe_load(uncommented(text)) == {"a": {"b": 1, "c": {"e": 2}}, "d": None}


def test_every_key_in_the_example_is_one_the_config_accepts() -> None:
    _, unknown = documented(example(), Config)
    assert unknown == []


def test_every_key_the_config_accepts_is_in_the_example() -> None:
    keys, _ = documented(example(), Config)
    missing = sorted(set(accepted(Config)) - keys)
    assert missing == [], f"document these in config.example.yaml (commented out is fine): {missing}"


def test_every_value_in_the_example_has_the_type_its_key_takes() -> None:
    """The model's own validation of the example, commented keys included (the checks across keys are not
    run: the commented-out `group:` sits on a board of two people, to show where it goes)."""
    config = Config.model_validate(example())
    assert config.boards[0].group is not None and config.people["sam"].advocate == "jessica"


def _package_text() -> dict[Path, str]:
    return {
        p: p.read_text(encoding="utf-8")
        for p in (ROOT / "trellosync").rglob("*.py")
        if "migrations" not in p.parts
    }


def test_every_key_the_config_accepts_is_read_by_the_code() -> None:
    sources = _package_text()
    unread = []
    for path, model in accepted(Config).items():
        name = path.rsplit(".", 1)[-1]
        declared = Path(typing.cast(Any, __import__(model.__module__, fromlist=["_"])).__file__)
        read = re.compile(rf"\.{name}\b|\"{name}\"|'{name}'")
        # The declaring module counts only outside the field's own declaration line.
        if not any(
            read.search(text if p != declared else re.sub(rf"(?m)^\s+{name}:.*$", "", text))
            for p, text in sources.items()
        ):
            unread.append(path)
    assert unread == []


def test_a_retired_key_is_ignored_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    ((section, key),) = RETIRED_KEYS
    with caplog.at_level(logging.WARNING, logger="trellosync.config.settings"):
        config = parse_config(f"{section}:\n  {key}: 14\n", "old.yaml")
    assert not hasattr(getattr(config, section), key)
    assert f"{section}.{key} is no longer read" in caplog.text
    assert key not in EXAMPLE.read_text(encoding="utf-8")
