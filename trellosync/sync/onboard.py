"""What the token can see, a starting config proposed from it, and the online check of a config.

Everything returns data; cli.py prints it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from trello import TrelloClient

from trellosync.config.settings import Config, TrelloConfig
from trellosync.config.yaml_file import escape_interpolation
from trellosync.domain.unread import UnreadText
from trellosync.errors import ConfigError
from trellosync.sync.diagnostics import BoardOutline, Problem, diagnose, outline_unread, quick_goal_warnings
from trellosync.sync.run import list_boards_to_sync, select_boards
from trellosync.sync.shape import cadence_days, card_dates, group_section, logistics_patterns, lunch_cards
from trellosync.trello.client import client_from_config
from trellosync.trello.fetch import fetch_member_boards, get
from trellosync.trello.session import TooManyCards

_LUNCH = re.compile(
    r"lunch|1[:-]1|one.on.one|meeting|conversation|catch.?up|check.?ins?\b|\bsessions?\b", re.I
)
LUNCH_NAMES = "Lunches, Check-ins, Meetings, 1:1s, Sessions, Catch-ups"
_GOAL = re.compile(r"goal|objective|okr|target", re.I)
_DONE = re.compile(r"^(done|achieved|complete[d]?|finished|reached)\b", re.I)
_FEEDBACK = {
    "best": re.compile(r"best|highlight|high point", re.I),
    "worst": re.compile(r"worst|low point|lowlight", re.I),
    "focus": re.compile(r"focus|improv", re.I),
    "commitments": re.compile(r"commit|promise|action item", re.I),
}


def list_boards(trello: TrelloConfig) -> list[dict[str, Any]]:
    """What the token can see (name, id, last activity): one request, no database."""
    return fetch_member_boards(client_from_config(trello))


def propose_mapping(board: dict[str, Any]) -> dict[str, Any]:
    """A board mapping from a nested board's open list and checklist names: only names the board has."""
    lists = [x.get("name") or "" for x in board.get("lists") or [] if not x.get("closed")]
    checklists = sorted({c.get("name") or "" for c in board.get("checklists") or []})
    m: dict[str, Any] = {"board": board.get("url") or board["id"]}
    lunches = [n for n in lists if _LUNCH.search(n)]
    goals = [n for n in lists if _GOAL.search(n)]
    done = [n for n in lists if _DONE.search(n)]
    if lunches:
        m["lunches"] = {"lists": lunches, **_observed_lunches(board, lunches)}
    if goals or done:
        m["goals"] = {k: v for k, v in (("lists", goals), ("done_lists", done)) if v}
    feedback = {k: [c for c in checklists if rx.search(c)] for k, rx in _FEEDBACK.items()}
    # "Best moment - Will" is already matched by "Best moment" (the person suffix names who it is about).
    feedback = {
        k: [c for c in v if not any(c != o and c.lower().startswith(o.lower()) for o in v)]
        for k, v in feedback.items()
        if v
    }
    cards = lunch_cards(board, lunches) if lunches else []
    if patterns := logistics_patterns(board, cards):
        feedback = {**feedback, "ignore_comments": patterns}
    if feedback:
        m["feedback"] = feedback
    if cards and (group := group_section(board, cards)) is not None:
        m["group"] = group
    labels = {
        lb["name"]: re.sub(r"\W+", "_", lb["name"].strip().lower()).strip("_")
        for lb in board.get("labels") or []
        if (lb.get("name") or "").strip()
    }
    if labels:
        m["labels"] = labels
    return m


def _observed_lunches(board: dict[str, Any], lunches: list[str]) -> dict[str, Any]:
    """`every_days` when the lunch cards' dates show a cadence (cards of a board read without them show none)."""
    every = cadence_days(card_dates(lunch_cards(board, lunches)))
    return {"every_days": every} if every is not None else {}


def init_config(
    client: TrelloClient,
    *,
    boards: list[str] | None = None,
    database: str = "sqlite:///trellosync.db",
    api_url: str | None = None,
) -> str:
    """YAML text of a starting config for the boards the token sees (open ones, or those named)."""
    import yaml

    listing = fetch_member_boards(client)
    if boards:
        chosen, missing = select_boards(None, listing, boards, set())
        if missing:
            raise ConfigError("boards not visible to this token", problems=[o.error or "" for o in missing])
    else:
        chosen = [b for b in listing if not b.get("closed")]
    if not chosen:  # a config without boards is one `check` refuses: say why instead of writing it
        closed = f" (only {len(listing)} closed)" if listing else ""
        raise ConfigError(
            f"this token sees no open board{closed}: nothing to propose; use the token of a member "
            "the boards are shared with (`trellosync boards` lists what a token sees)"
        )
    outlines = [(b, get_board_shape(client, b["id"])) for b in chosen]
    proposed = [
        (b, nested, propose_mapping({**b, **nested, "url": b.get("url") or nested.get("url")}))
        for b, nested in outlines
    ]
    # A board without a lunch-like list is not a lunch board (a sprint board has a `Done` list too: its tasks
    # would become goals achieved in a day). It is named in a comment instead; boards named with --board stay.
    recognised = [x for x in proposed if boards or "lunches" in x[2]]
    if not recognised:
        names = ", ".join(_comment_safe(b.get("name") or b["id"]) for b, _, _ in proposed)
        raise ConfigError(
            f"none of the {len(proposed)} open board(s) this token sees has a lunch-like list "
            f"({LUNCH_NAMES}): {names}; to map one anyway, name it with --board"
        )
    skipped = [b for b, _, _ in proposed if all(b is not r[0] for r in recognised)]
    people: dict[str, dict[str, Any]] = {}
    mappings = []
    for _b, nested, m in recognised:
        subjects = []
        for mem in nested.get("members") or []:
            username = mem.get("username") or mem["id"]
            key = _person_key(mem, people)
            people.setdefault(key, {"name": mem.get("fullName") or username, "trello": username})
            subjects.append(key)
        if subjects:
            m = {"board": m.pop("board"), "subjects": subjects, **m}
        mappings.append(m)
    trello: dict[str, Any] = {"api_key": "${TRELLO_API_KEY}", "token": "${TRELLO_TOKEN}"}
    if api_url and api_url.rstrip("/") != "https://api.trello.com/1":
        trello["api_url"] = api_url
    # Names come from Trello: "$" doubled so a member called "${TRELLO_TOKEN}" stays a name (issue 10).
    doc = {
        "trello": trello,
        "database": database,
        **escape_interpolation({"people": people, "boards": mappings}),
    }
    head = (
        "# trellosync config written by `trellosync init`: check the proposed mappings, then run\n"
        "#   trellosync check -c THIS_FILE --online && trellosync sync -c THIS_FILE\n"
        "# The key and token are read from the environment; never write them here.\n"
    )
    if skipped:
        names = ", ".join(_comment_safe(b.get("name") or b["id"]) for b in skipped)
        head += (
            f"# Not proposed (no lunch-like list: {LUNCH_NAMES}): {names}.\n"
            "# To sync one anyway, add a `- board:` entry that names its lists.\n"
        )
    return head + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)


def _comment_safe(name: str) -> str:
    """A board name on one YAML comment line (a newline in it would start a line of YAML)."""
    return repr(" ".join(str(name).split()))


def _person_key(member: dict[str, Any], people: dict[str, dict[str, Any]]) -> str:
    """A short config key for a member: their first name, else their username (unique among `people`)."""
    username = member.get("username") or member["id"]
    for p_key, p in people.items():
        if p.get("trello") == username:
            return p_key
    first = re.sub(r"[^a-z0-9]+", "", ((member.get("fullName") or "").split() or [""])[0].lower())
    for cand in (first, re.sub(r"\W+", "_", username.lower()).strip("_"), member["id"]):
        if cand and cand not in people:
            return cand
    return member["id"]


def get_board_outline(
    client: TrelloClient, board_id: str, *, lists: str = "open", cards: bool = False
) -> dict[str, Any]:
    """A board's lists, checklist names, labels and members (and card texts): one request."""
    params = {
        "fields": "name,url,shortLink",
        "lists": lists,
        "labels": "all",
        "labels_limit": "1000",
        "members": "all",
        "checklists": "all",
        "checklist_fields": "name",
    }
    if cards:
        try:
            return get(
                client,
                f"/boards/{board_id}",
                {**params, "cards": "all", "card_fields": "desc,idList,dateLastActivity"},
            )
        except TooManyCards:
            pass  # too large to read the texts at once: check the names without them
    return get(client, f"/boards/{board_id}", params)


def get_board_shape(client: TrelloClient, board_id: str) -> dict[str, Any]:
    """A board's outline with what `init` observes: its cards' dates, checklists (and their cards and items) and
    the comments on its cards; the outline alone when the board has too many cards to read at once. One request."""
    params = {
        "fields": "name,url,shortLink",
        "lists": "open",
        "labels": "all",
        "labels_limit": "1000",
        "members": "all",
        "checklists": "all",
        "checklist_fields": "name,idCard",
        "checkItem_fields": "name",
        "cards": "all",
        "card_fields": "name,due,idList,closed",
        "actions": "commentCard",
        "actions_limit": "1000",
        "action_fields": "data,date,type",
    }
    try:
        return get(client, f"/boards/{board_id}", params)
    except TooManyCards:
        return get_board_outline(client, board_id)


@dataclass
class OnlineCheck:
    """`check --online`: the boards found, each with its mapping's problems, and the boards not found."""

    boards: list[tuple[dict[str, Any], list[Problem]]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unread: dict[str, UnreadText] = field(default_factory=dict)  # board id -> description text left out
    warnings: dict[str, list[str]] = field(
        default_factory=dict
    )  # board id -> what looks wrong but may be meant

    @property
    def problems(self) -> list[Problem]:
        """Every mapping problem found."""
        return [p for _, ps in self.boards for p in ps]


def check_online(config: Config, store: Any | None = None) -> OnlineCheck:
    """Try the credentials, look every mapped board up and check its mapping against what it holds."""
    from trellosync.sync.diagnostics import load_matches

    client = client_from_config(config.trello)
    stored = store.boards() if store is not None else []
    states = store.sync_states() if store is not None else {}
    listing, unseen = list_boards_to_sync(client, config, None, stored)
    chosen, missing = select_boards(config, listing, None, set())
    result = OnlineCheck(missing=[o.error or "" for o in missing] + [line for _, line in unseen])
    for b in chosen:
        outline = BoardOutline.from_trello(
            {**b, **get_board_outline(client, b["id"], lists="all", cards=True)}
        )
        st = states.get(b["id"])
        result.boards.append(
            (b, diagnose(config.mapping_for(b), outline, load_matches(st.list_matches if st else None)))
        )
        result.warnings[b["id"]] = quick_goal_warnings(config.mapping_for(b), outline)
        result.unread[b["id"]] = outline_unread(config.mapping_for(b), config.people, outline, b["id"])
    return result
