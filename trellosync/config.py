"""Load and validate the YAML config: every problem reported at once, each with file and line."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from .credentials import check_api_url, check_credential, read_secret_file
from .errors import ConfigError
from .practices.mapping import BoardPractices, PersonPractices, cross_check_practices

DEFAULT_DATABASE = "sqlite:///trellosync.db"
DEFAULT_API_URL = "https://api.trello.com/1"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TrelloConfig(_Strict):
    """Credentials and client behaviour for the Trello API."""

    api_key: SecretStr | None = None
    token: SecretStr | None = None
    api_key_file: Path | None = None
    token_file: Path | None = None
    api_url: str = Field(default_factory=lambda: os.environ.get("TRELLO_API_URL") or DEFAULT_API_URL)
    timeout: float = Field(30.0, gt=0)
    max_requests_per_10s: int = Field(90, gt=0, le=100)
    max_retries: int = Field(5, ge=0)
    full_refresh_hours: float = Field(24.0, ge=0)
    concurrency: int = Field(4, ge=1, le=16)
    max_wait: float = Field(180.0, gt=0)  # the longest any Retry-After or rate header may make a sync wait
    request_deadline: float = Field(120.0, gt=0)  # one request, from sending to its last byte
    run_deadline: float = Field(1800.0, gt=0)  # a whole `sync` run
    give_up_after: float = Field(20.0, gt=0)  # an unreachable API: stop retrying after this many seconds

    def credentials(self) -> tuple[str, str]:
        """The key and token (config values, their files, else TRELLO_API_KEY / TRELLO_TOKEN).

        The one credential lookup; only commands that reach Trello call it, so `${TRELLO_TOKEN}` in a config
        is resolved here and not when the file is loaded.
        """
        key = _resolve_secret(self.api_key, "trello.api_key")
        token = _resolve_secret(self.token, "trello.token")
        if key is None and self.api_key_file:
            key = read_secret_file(self.api_key_file, "trello.api_key_file")
        if token is None and self.token_file:
            token = read_secret_file(self.token_file, "trello.token_file")
        key = check_credential("trello.api_key", key) if key else \
            check_credential("TRELLO_API_KEY", os.environ.get("TRELLO_API_KEY") or None)
        token = check_credential("trello.token", token) if token else \
            check_credential("TRELLO_TOKEN", os.environ.get("TRELLO_TOKEN") or None)
        if not key or not token:
            missing = " and ".join(n for n, v in (("the API key", key), ("the token", token)) if not v)
            raise ConfigError(f"Trello credentials missing: {missing}. Set TRELLO_API_KEY and TRELLO_TOKEN, "
                              "or trello.api_key / trello.token (e.g. token: ${TRELLO_TOKEN}) in the config")
        return key, token

    @field_validator("api_url")
    @classmethod
    def _safe_api_url(cls, v: str) -> str:
        return check_api_url(v)


def _resolve_secret(value: SecretStr | None, where: str) -> str | None:
    """A secret config value, with ${VAR} taken from the environment now (not when the file was loaded)."""
    if value is None:
        return None
    text = value.get_secret_value()
    unset = [m.group(1) for m in _ENV.finditer(text)
             if m.group(1) and m.group(1) not in os.environ and m.group(2) is None]
    if unset:
        raise ConfigError(f"{where}: environment variable {unset[0]} is not set (needed to reach Trello)")
    return _ENV.sub(lambda m: "$" if m.group(0) == "$$" else os.environ.get(m.group(1), m.group(2) or ""),
                    text) or None


class PersonConfig(PersonPractices, _Strict):
    """A person the reports are about: display name and Trello username or member id."""

    name: str
    trello: str | None = None
    aliases: list[str] = []


class LunchesMapping(_Strict):
    """Which lists hold lunch cards and how dates in card names are read."""

    lists: list[str] = ["Lunches"]
    day_first: bool = True
    every_days: int = Field(14, ge=1, le=366)  # the pair's cadence target: one lunch every N days


class GoalsMapping(_Strict):
    """Which lists hold goal cards and which lists mean done."""

    lists: list[str] = ["Goals"]
    done_lists: list[str] = ["Achieved", "Done"]


class FeedbackMapping(_Strict):
    """Checklist (and description section) names of each kind of entry."""

    best: list[str] = ["Best moment", "Best moments"]
    worst: list[str] = ["Worst moment", "Worst moments"]
    focus: list[str] = ["Focus", "Focus point", "Improvement point", "Focused improvement point"]
    commitments: list[str] = ["Commitments", "Commitment"]
    ignore_comments: list[str] = []  # regular expressions: matching lunch-card comments are not observations
    # Who gives entries whose author Trello does not record (check items; description sections nobody's edit
    # added): one of partner | subject | <person key>, for every kind, or per kind (best, worst, focus,
    # commitments) or per checklist name. Unset: unknown, and the entry is attributed to the conversation.
    said_by: str | dict[str, str] | None = None

    @field_validator("ignore_comments")
    @classmethod
    def _valid_patterns(cls, v: list[str]) -> list[str]:
        for pattern in v:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a valid regular expression: {exc}") from None
        return v


class PolarityMapping(_Strict):
    """How an observation (a lunch-card comment) is marked as praise or concern; unmarked is neutral.

    A marker ending in ':' must start the text (`praise: ...`); any other marker (an emoji) may appear
    anywhere. Labels map a card's label name to praise | concern for every observation on that card.
    """

    praise: list[str] = ["👍", "praise:"]
    concern: list[str] = ["👎", "concern:"]
    labels: dict[str, Literal["praise", "concern"]] = {}

    @field_validator("praise", "concern")
    @classmethod
    def _no_bare_bullets(cls, v: list[str]) -> list[str]:
        for marker in v:
            if marker.strip() in ("", "-", "*", "+"):
                raise ValueError(f"{marker!r} is not a usable marker (a Markdown bullet or empty)")
        return v


class BoardMapping(BoardPractices, _Strict):
    """How one board's lists, checklists, labels and members map to the domain."""

    board: str
    subjects: list[str] = []
    lunches: LunchesMapping = LunchesMapping()
    goals: GoalsMapping = GoalsMapping()
    feedback: FeedbackMapping = FeedbackMapping()
    labels: dict[str, str] = {}
    members: dict[str, str] = {}  # Trello username or member id -> person key (board-local override)
    polarity: PolarityMapping = PolarityMapping()
    # competency key -> words that, in an entry's own text, make it evidence for that competency
    competency_aliases: dict[str, list[str]] = {}

    @field_validator("board")
    @classmethod
    def _board_not_empty(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("board reference must not be empty")
        return v.strip()


class DossierConfig(_Strict):
    """Promotion dossier options."""

    include_worst_moments: bool = False
    ladder: Path | None = None


class ReportsConfig(_Strict):
    """Report output options."""

    templates: Path | None = None
    output: Path = Path("./reports")
    confidentiality: str = "Confidential: peer feedback. Share only with the people it is about."
    lunch_interval_days: int = Field(14, ge=1)
    dossier: DossierConfig = DossierConfig()


class Config(_Strict):
    """The whole config file."""

    trello: TrelloConfig = TrelloConfig()
    database: str = DEFAULT_DATABASE
    timezone: str = "UTC"
    people: dict[str, PersonConfig] = {}
    boards: list[BoardMapping] = []
    reports: ReportsConfig = ReportsConfig()
    source: Path | None = Field(None, exclude=True)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {v!r} (expected an IANA name such as Europe/Berlin)") from None
        return v

    def mapping_for(self, board: dict[str, Any]) -> BoardMapping | None:
        """The mapping whose reference matches this board (id, shortLink, url or exact name)."""
        for m in self.boards:
            if board_ref_matches(m.board, board):
                return m
        return None


_SHORTLINK_URL = re.compile(r"trello\.com/b/([A-Za-z0-9]+)")


def board_ref_matches(ref: str, board: dict[str, Any]) -> bool:
    """True when a config board reference names this board (url, shortLink, id or exact name)."""
    m = _SHORTLINK_URL.search(ref)
    if m:
        return m.group(1) == board.get("shortLink")
    return ref in (board.get("id"), board.get("shortLink"), board.get("name"))


# ---------------------------------------------------------------- loading with line numbers

_ENV = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
# Where ${VAR} is read from the environment: secrets and paths, never names or text (which may come from
# Trello: a member named "${TRELLO_TOKEN}" must stay a name). "$$" is a literal "$" everywhere.
_INTERPOLATED = (("trello",), ("database",), ("reports", "templates"), ("reports", "output"),
                 ("reports", "dossier", "ladder"))
MAX_CONFIG_BYTES = 1_000_000
MAX_YAML_NODES = 100_000  # after expanding aliases; a config has a few hundred


def escape_interpolation(value: Any) -> Any:
    """Text copied from Trello made literal in a config: every "$" in values doubled (keys are never interpolated)."""
    if isinstance(value, str):
        return value.replace("$", "$$")
    if isinstance(value, dict):
        return {k: escape_interpolation(v) for k, v in value.items()}
    if isinstance(value, list):
        return [escape_interpolation(v) for v in value]
    return value


def _interpolated_here(path: tuple) -> bool:
    return any(path[:len(p)] == p for p in _INTERPOLATED)


def _expanded_size(root: yaml.Node, filename: str) -> int:
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


def _line_map(text: str, filename: str, problems: list[str]) -> dict[tuple, int]:
    """Map each key path of the YAML document to its 1-based line; note duplicate keys."""
    lines: dict[tuple, int] = {}
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None and _expanded_size(root, filename) > MAX_YAML_NODES:
        raise ConfigError(f"{filename}:1: the YAML expands to more than {MAX_YAML_NODES} values "
                          "(aliases used as a bomb?); refused")

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


def _line_for(lines: dict[tuple, int], loc: tuple) -> int:
    loc = tuple(loc)
    while loc and loc not in lines:
        loc = loc[:-1]
    return lines.get(loc, 1)


def _interpolate(data: Any, path: tuple, lines: dict[tuple, int], filename: str, problems: list[str]) -> Any:
    """Replace ${VAR} and ${VAR:-default} from the environment in secrets and paths; "$$" means "$"."""
    if isinstance(data, dict):
        return {k: _interpolate(v, path + (k,), lines, filename, problems) for k, v in data.items()}
    if isinstance(data, list):
        return [_interpolate(v, path + (i,), lines, filename, problems) for i, v in enumerate(data)]
    if isinstance(data, str) and "$" in data:
        interpolate = _interpolated_here(path)

        def sub(m: re.Match) -> str:
            if m.group() == "$$":
                return "$"
            if not interpolate:
                return m.group()
            name, default = m.group(1), m.group(2)
            value = os.environ.get(name)
            if value is None:
                if default is not None:
                    return default
                where = ".".join(str(p) for p in path)
                problems.append(
                    f"{filename}:{_line_for(lines, path)}: {where}: environment variable {name} is not set"
                )
                return ""
            return value

        return _ENV.sub(sub, data)
    return data


def _defer_secrets(raw: dict[str, Any]) -> dict[str, str]:
    """trello.api_key / trello.token as written: resolved by TrelloConfig.credentials() when needed."""
    trello = raw.get("trello")
    if not isinstance(trello, dict):
        return {}
    return {k: trello.pop(k) for k in ("api_key", "token") if isinstance(trello.get(k), str)}


def _describe(err: dict) -> str:
    loc = ".".join(str(p) for p in err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"{loc}: unknown key (not expected here)"
    if kind == "missing":
        return f"{loc}: required key is missing"
    msg = err["msg"]
    if tuple(err["loc"][:2]) in (("trello", "api_key"), ("trello", "token")):
        return f"{loc}: {msg} (the value is not shown)"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return f"{loc}: {msg} (got {type(err.get('input')).__name__} {err.get('input')!r})"
    return f"{loc}: {msg}"


def parse_config(text: str, filename: str = "<config>") -> Config:
    """Parse and validate config text; raise ConfigError listing every problem found."""
    problems: list[str] = []
    if len(text) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{filename}: larger than {MAX_CONFIG_BYTES} bytes; not a trellosync config")
    try:
        lines = _line_map(text, filename, problems)
        raw = yaml.safe_load(text)
    except RecursionError:
        raise ConfigError(f"{filename}: nested too deeply to be a trellosync config") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        what = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{filename}:{line}: not valid YAML: {what}", []) from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{filename}:1: expected a mapping of settings at the top level, got {type(raw).__name__}")
    deferred = _defer_secrets(raw)
    raw = _interpolate(raw, (), lines, filename, problems)
    if deferred:
        raw["trello"] = {**raw["trello"], **deferred}
    cfg: Config | None = None
    try:
        cfg = Config.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            problems.append(f"{filename}:{_line_for(lines, err['loc'])}: {_describe(err)}")
    problems += _cross_check(raw, lines, filename)
    problems.sort(key=lambda p: int(p.split(":")[1]) if p.split(":")[1].isdigit() else 0)
    if problems:
        raise ConfigError(f"{filename}: {len(problems)} problem(s) in the config", problems)
    return cfg  # type: ignore[return-value]


def _cross_check(raw: dict[str, Any], lines: dict[tuple, int], filename: str) -> list[str]:
    """Checks that span several keys (known people, distinct boards, a non-empty board list).

    They run on the raw data so they are reported together with schema errors, not after them.
    """
    problems: list[str] = []

    def at(*loc: Any) -> str:
        return f"{filename}:{_line_for(lines, loc)}"

    people = raw.get("people") if isinstance(raw.get("people"), dict) else {}
    boards = raw.get("boards")
    if "boards" in raw and isinstance(boards, list) and not boards:
        problems.append(f"{at('boards')}: boards: the list is empty (expected at least one board mapping)")
    known = set(people)
    seen: dict[str, int] = {}
    for i, b in enumerate(boards if isinstance(boards, list) else []):
        if not isinstance(b, dict):
            continue
        ref = b.get("board")
        if isinstance(ref, str) and ref.strip():
            key = ref.strip().lower()
            if key in seen:
                problems.append(f"{at('boards', i, 'board')}: boards.{i}.board: {ref!r} is mapped twice "
                                f"(first as boards.{seen[key]})")
            seen.setdefault(key, i)
        subjects = b.get("subjects") if isinstance(b.get("subjects"), list) else []
        for j, s in enumerate(subjects):
            if isinstance(s, str) and s not in known:
                problems.append(f"{at('boards', i, 'subjects', j)}: boards.{i}.subjects.{j}: unknown person "
                                f"{s!r} (expected one of: {', '.join(sorted(known)) or 'no people defined'})")
        members = b.get("members") if isinstance(b.get("members"), dict) else {}
        for member, person in members.items():
            if isinstance(person, str) and person not in known:
                problems.append(f"{at('boards', i, 'members', member)}: boards.{i}.members.{member}: unknown "
                                f"person {person!r}")
        feedback = b.get("feedback") if isinstance(b.get("feedback"), dict) else {}
        said = feedback.get("said_by")
        for kind, who in (said.items() if isinstance(said, dict) else [(None, said)]):
            if isinstance(who, str) and who not in known | {"partner", "subject"}:
                loc = ("boards", i, "feedback", "said_by") + ((kind,) if kind else ())
                problems.append(f"{at(*loc)}: boards.{i}.feedback.said_by{'.' + kind if kind else ''}: {who!r} is "
                                "not partner, subject or a known person")
    usernames: dict[str, str] = {}
    for key, p in people.items():
        if isinstance(p, dict) and isinstance(p.get("trello"), str):
            u = p["trello"].lower().lstrip("@")
            if u in usernames:
                problems.append(f"{at('people', key, 'trello')}: people.{key}.trello: {p['trello']!r} is also "
                                f"used by {usernames[u]!r}")
            usernames[u] = key
    problems += cross_check_practices(raw, at)
    return problems


def load_config(path: str | Path) -> Config:
    """Read, interpolate and validate a config file."""
    from .errors import DataError
    from .validate import read_limited

    p = Path(path)
    if not p.exists():
        raise ConfigError(f"{p}: config file not found")
    try:
        text = read_limited(p, MAX_CONFIG_BYTES).decode("utf-8")  # a regular file under the cap, never a FIFO
    except DataError as exc:
        raise ConfigError(str(exc).replace("an export may have", "a config may have")) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{p}: cannot read config file: {exc.__class__.__name__}") from None
    cfg = parse_config(text, str(p))
    cfg.source = p
    base = p.resolve().parent
    # Relative paths in a config file are relative to the file, not to the working directory.
    if cfg.reports.templates and not cfg.reports.templates.is_absolute():
        cfg.reports.templates = base / cfg.reports.templates
    if cfg.reports.dossier.ladder and not cfg.reports.dossier.ladder.is_absolute():
        cfg.reports.dossier.ladder = base / cfg.reports.dossier.ladder
    if not cfg.reports.output.is_absolute():
        cfg.reports.output = base / cfg.reports.output
    if cfg.database.startswith("sqlite:///") and not cfg.database.startswith("sqlite:////"):
        rel = cfg.database[len("sqlite:///"):]
        if rel and rel != ":memory:":
            cfg.database = "sqlite:///" + str(base / rel)
    return cfg
