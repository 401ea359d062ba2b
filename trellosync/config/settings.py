"""Load and validate the YAML config: every problem reported at once, each with file and line."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_core import ErrorDetails

from trellosync.config.credentials import check_api_url, check_credential, read_secret_file
from trellosync.config.practices import BoardPractices, PersonPractices, cross_check_practices
from trellosync.config.yaml_file import (
    ENV_REFERENCE,
    MAX_CONFIG_BYTES,
    LineMap,
    interpolate,
    line_for,
    read_yaml,
)
from trellosync.errors import ConfigError

log = logging.getLogger(__name__)

DEFAULT_DATABASE = "sqlite:///trellosync.db"
DEFAULT_API_URL = "https://api.trello.com/1"
DEFAULT_TIMEZONE = "UTC"
# The `trello:` section's defaults, which are also the Trello client's (trello/client.py, trello/session.py).
DEFAULT_TIMEOUT = 30.0  # seconds, each read of a request
DEFAULT_MAX_REQUESTS_PER_10S = 90  # Trello allows 100 per token
DEFAULT_MAX_RETRIES = 5
DEFAULT_MAX_WAIT = 180.0  # the longest any Retry-After or rate header may make a sync wait
DEFAULT_GIVE_UP_AFTER = 20.0  # an unreachable API: stop retrying after this many seconds
DEFAULT_REQUEST_DEADLINE = 120.0  # one request, from sending to its last byte
SAID_BY_ROLES = ("partner", "subject")  # what feedback.said_by may name besides a person key
DEFAULT_EVERY_DAYS = 14  # lunches.every_days: a pair meets once a fortnight unless its mapping says otherwise
DEFAULT_CONFIDENTIALITY = "Confidential: peer feedback. Share only with the people it is about."


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TrelloConfig(_Strict):
    """Credentials and client behaviour for the Trello API."""

    api_key: SecretStr | None = None
    token: SecretStr | None = None
    api_key_file: Path | None = None
    token_file: Path | None = None
    api_url: str = Field(default_factory=lambda: os.environ.get("TRELLO_API_URL") or DEFAULT_API_URL)
    timeout: float = Field(DEFAULT_TIMEOUT, gt=0)
    max_requests_per_10s: int = Field(DEFAULT_MAX_REQUESTS_PER_10S, gt=0, le=100)
    max_retries: int = Field(DEFAULT_MAX_RETRIES, ge=0)
    full_refresh_hours: float = Field(24.0, ge=0)
    concurrency: int = Field(4, ge=1, le=16)
    max_wait: float = Field(DEFAULT_MAX_WAIT, gt=0)
    request_deadline: float = Field(DEFAULT_REQUEST_DEADLINE, gt=0)
    run_deadline: float = Field(1800.0, gt=0)  # a whole `sync` run
    give_up_after: float = Field(DEFAULT_GIVE_UP_AFTER, gt=0)

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
        key = (
            check_credential("trello.api_key", key)
            if key
            else check_credential("TRELLO_API_KEY", os.environ.get("TRELLO_API_KEY") or None)
        )
        token = (
            check_credential("trello.token", token)
            if token
            else check_credential("TRELLO_TOKEN", os.environ.get("TRELLO_TOKEN") or None)
        )
        if not key or not token:
            missing = " and ".join(n for n, v in (("the API key", key), ("the token", token)) if not v)
            raise ConfigError(
                f"Trello credentials missing: {missing}. Set TRELLO_API_KEY and TRELLO_TOKEN, "
                "or trello.api_key / trello.token (e.g. token: ${TRELLO_TOKEN}) in the config"
            )
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
    unset = [
        m.group(1)
        for m in ENV_REFERENCE.finditer(text)
        if m.group(1) and m.group(1) not in os.environ and m.group(2) is None
    ]
    if unset:
        raise ConfigError(f"{where}: environment variable {unset[0]} is not set (needed to reach Trello)")
    return (
        ENV_REFERENCE.sub(
            lambda m: "$" if m.group(0) == "$$" else os.environ.get(m.group(1), m.group(2) or ""), text
        )
        or None
    )


class PersonConfig(PersonPractices, _Strict):
    """A person the reports are about: display name and Trello username or member id."""

    name: str
    trello: str | None = None
    aliases: list[str] = []


class LunchesMapping(_Strict):
    """Which lists hold lunch cards and how dates in card names are read."""

    lists: list[str] = ["Lunches"]
    day_first: bool = True
    every_days: int = Field(
        DEFAULT_EVERY_DAYS, ge=1, le=366
    )  # the pair's cadence target: one lunch every N days


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
    # A comment by the person an entry is about, starting with one of these, is their reply to it (never evidence).
    reply: list[str] = ["reply:"]
    # Unmarked observations are neither praise nor concern: the dossier leaves them out and counts them,
    # unless the board opts in here (`include`: quoted as plain observations, never counted as praise).
    unmarked_in_dossier: Literal["leave_out", "include"] = "leave_out"

    @field_validator("praise", "concern", "reply")
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
    confidentiality: str = DEFAULT_CONFIDENTIALITY
    # report.pdf_variants: tagged PDF/UA-1; PDF/A-3u that is also PDF/UA-1 and carries its data; untagged
    pdf_variant: Literal["pdf/ua-1", "pdf/a-3u", "none"] = "pdf/ua-1"
    dossier: DossierConfig = DossierConfig()


class RetentionConfig(_Strict):
    """How long each kind of data is kept (unset: kept for ever), and what happens to people who left Trello."""

    entries_days: int | None = Field(None, ge=1)  # entries, lunches, goals, commitments and practices by date
    actions_days: int | None = Field(None, ge=1)  # the mirror's comments and action history
    report_log_days: int | None = Field(None, ge=1)  # the log of reports written
    left_after_days: int | None = Field(
        None, ge=0
    )  # a member gone from every mapped board this long has left
    departed: Literal["keep", "forget"] = (
        "keep"  # what becomes of people who left or whose account is deleted
    )

    def describe(self) -> str:
        """The policy in one line (what `check` prints)."""
        kinds = [
            (self.entries_days, "entries"),
            (self.actions_days, "comments and actions"),
            (self.report_log_days, "report log"),
        ]
        kept = [f"{what} {days} days" for days, what in kinds if days]
        policy = (
            "keeps everything"
            if not kept
            else "keeps " + ", ".join(kept) + ("; everything else for ever" if len(kept) < len(kinds) else "")
        )
        gone = "people whose Trello account is deleted" + (
            f" or who left every mapped board over {self.left_after_days} days ago"
            if self.left_after_days is not None
            else ""
        )
        return f"{policy}; {gone} are {'forgotten by the next sync' if self.departed == 'forget' else 'kept'}"


class PrepareConfig(_Strict):
    """`trellosync prepare`: how far ahead the next lunch card is made."""

    days_ahead: int = Field(3, ge=0, le=60)  # prepare a board whose next lunch is due within this many days


class Config(_Strict):
    """The whole config file."""

    trello: TrelloConfig = Field(
        default_factory=TrelloConfig
    )  # TRELLO_API_URL read when loaded, not imported
    database: str = DEFAULT_DATABASE
    timezone: str = DEFAULT_TIMEZONE
    people: dict[str, PersonConfig] = {}
    boards: list[BoardMapping] = []
    reports: ReportsConfig = ReportsConfig()
    retention: RetentionConfig = RetentionConfig()
    prepare: PrepareConfig = PrepareConfig()
    source: Path | None = Field(None, exclude=True)
    warnings: list[str] = Field(default_factory=list, exclude=True)  # said at every load; not errors

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown timezone {v!r} (expected an IANA name such as Europe/Berlin)"
            ) from None
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


def _defer_secrets(raw: dict[str, Any]) -> dict[str, str]:
    """trello.api_key / trello.token as written: resolved by TrelloConfig.credentials() when needed."""
    trello = raw.get("trello")
    if not isinstance(trello, dict):
        return {}
    return {k: trello.pop(k) for k in ("api_key", "token") if isinstance(trello.get(k), str)}


# Keys older configs may hold that nothing reads any more: accepted, ignored, and named in the log.
RETIRED_KEYS = {("reports", "lunch_interval_days"): "a board's lunches.every_days sets each pair's cadence"}


def _drop_retired(raw: dict[str, Any], filename: str) -> None:
    for (section, key), instead in RETIRED_KEYS.items():
        part = raw.get(section)
        if isinstance(part, dict) and key in part:
            del part[key]
            log.warning("%s: %s.%s is no longer read and can go (%s)", filename, section, key, instead)


def _describe(err: ErrorDetails) -> str:
    loc = ".".join(str(p) for p in err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"{loc}: unknown key (not expected here)"
    if kind == "missing":
        return f"{loc}: required key is missing"
    msg = err["msg"].removeprefix("Value error, ")  # pydantic's prefix for our own validators' messages
    if tuple(err["loc"][:2]) in (("trello", "api_key"), ("trello", "token")):
        return f"{loc}: {msg} (the value is not shown)"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return f"{loc}: {msg} (got {type(err.get('input')).__name__} {err.get('input')!r})"
    return f"{loc}: {msg}"


def parse_config(text: str, filename: str = "<config>") -> Config:
    """Parse and validate config text; raise ConfigError listing every problem found."""
    problems: list[str] = []
    raw, lines = read_yaml(text, filename, problems)
    _drop_retired(raw, filename)
    deferred = _defer_secrets(raw)
    raw = interpolate(raw, (), lines, filename, problems)
    if deferred:
        raw["trello"] = {**raw["trello"], **deferred}
    cfg: Config | None = None
    try:
        cfg = Config.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            problems.append(f"{filename}:{line_for(lines, err['loc'])}: {_describe(err)}")
    problems += _cross_check(raw, lines, filename)
    problems += [
        f"{filename}:{line_for(lines, ('trello', key))}: trello.{key}: a malformed ${{...}} reference "
        f"(write ${{{env}}}; the value is not shown)"
        for key, env in (("api_key", "TRELLO_API_KEY"), ("token", "TRELLO_TOKEN"))
        if "${" in ENV_REFERENCE.sub("", deferred.get(key, ""))
    ]
    warnings = [
        f"{filename}:{line_for(lines, ('trello', key))}: trello.{key} is written in the file as plain "
        f"text: anyone who can read it can act as you on Trello; write {key}: ${{{env}}} or use "
        f"{key}_file (the value is not shown)"
        for key, env in (("token", "TRELLO_TOKEN"),)
        if deferred.get(key, "").strip() and not ENV_REFERENCE.search(deferred[key])
    ]
    problems.sort(key=lambda p: int(p.split(":")[1]) if p.split(":")[1].isdigit() else 0)
    if problems:
        raise ConfigError(f"{filename}: {len(problems)} problem(s) in the config", problems)
    assert cfg is not None  # validation raised no error, else problems would not be empty
    cfg.warnings = warnings
    return cfg


def _cross_check(raw: dict[str, Any], lines: LineMap, filename: str) -> list[str]:
    """Checks that span several keys (known people, distinct boards, a non-empty board list).

    They run on the raw data so they are reported together with schema errors, not after them.
    """
    problems: list[str] = []

    def at(*loc: Any) -> str:
        return f"{filename}:{line_for(lines, loc)}"

    people = v if isinstance(v := raw.get("people"), dict) else {}
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
                problems.append(
                    f"{at('boards', i, 'board')}: boards.{i}.board: {ref!r} is mapped twice "
                    f"(first as boards.{seen[key]})"
                )
            seen.setdefault(key, i)
        subjects = v if isinstance(v := b.get("subjects"), list) else []
        for j, s in enumerate(subjects):
            if isinstance(s, str) and s not in known:
                problems.append(
                    f"{at('boards', i, 'subjects', j)}: boards.{i}.subjects.{j}: unknown person "
                    f"{s!r} (expected one of: {', '.join(sorted(known)) or 'no people defined'})"
                )
        members = v if isinstance(v := b.get("members"), dict) else {}
        for member, person in members.items():
            if isinstance(person, str) and person not in known:
                problems.append(
                    f"{at('boards', i, 'members', member)}: boards.{i}.members.{member}: unknown "
                    f"person {person!r}"
                )
        feedback = v if isinstance(v := b.get("feedback"), dict) else {}
        said = feedback.get("said_by")
        for kind, who in said.items() if isinstance(said, dict) else [(None, said)]:
            if isinstance(who, str) and who not in known | set(SAID_BY_ROLES):
                loc = ("boards", i, "feedback", "said_by") + ((kind,) if kind else ())
                problems.append(
                    f"{at(*loc)}: boards.{i}.feedback.said_by{'.' + kind if kind else ''}: {who!r} is "
                    "not partner, subject or a known person"
                )
    usernames: dict[str, str] = {}
    for key, p in people.items():
        if isinstance(p, dict) and isinstance(p.get("trello"), str):
            u = p["trello"].lower().lstrip("@")
            if u in usernames:
                problems.append(
                    f"{at('people', key, 'trello')}: people.{key}.trello: {p['trello']!r} is also "
                    f"used by {usernames[u]!r}"
                )
            usernames[u] = key
    problems += cross_check_practices(raw, at)
    return problems


def load_config(path: str | Path) -> Config:
    """Read, interpolate and validate a config file."""
    from trellosync.errors import DataError
    from trellosync.mirror.validate import read_limited

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
        rel = cfg.database[len("sqlite:///") :]
        if rel and rel != ":memory:":
            cfg.database = "sqlite:///" + str(base / rel)
    return cfg
