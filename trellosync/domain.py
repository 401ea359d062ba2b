"""Pure functions: one board's mirror rows plus its mapping to the domain (PRODUCT.md's board convention)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

from .config import BoardMapping, PersonConfig
from .matching import match_lists
from .model import Commitment, Competency, Domain, FeedbackEntry, Goal, KeyResult, Lunch, Person
from .normalize import ACTION_WINDOW, BoardRows
from .sections import _kind_of, description_sections  # noqa: F401 (re-exported)

KINDS = ("best", "worst", "focus", "commitments")

_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\b")
_DMY_TEXT = re.compile(r"^\s*(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")
_MDY_TEXT = re.compile(r"^\s*([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_NUMERIC = re.compile(r"^\s*(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})\b")
_AT_PREFIX = re.compile(r"^\s*@([A-Za-z0-9_.-]+)[\s:,-]*")
_NAME_PREFIX = re.compile(r"^\s*([^:\n]{1,40}?)\s*:\s*")


def _month(name: str) -> int | None:
    return _MONTHS.get(name[:3].lower())


def date_from_name(name: str, *, day_first: bool = True) -> date | None:
    """A date at the start of a card name: 2026-03-04, 4 Mar 2026, Mar 4 2026, 04/03/2026 (day_first)."""
    try:
        if m := _ISO.match(name):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if (m := _DMY_TEXT.match(name)) and _month(m[2]):
            return date(int(m[3]), _month(m[2]), int(m[1]))  # type: ignore[arg-type]
        if (m := _MDY_TEXT.match(name)) and _month(m[1]):
            return date(int(m[3]), _month(m[1]), int(m[2]))  # type: ignore[arg-type]
        if m := _NUMERIC.match(name):
            a, b, y = int(m[1]), int(m[2]), int(m[3])
            y = y + 2000 if y < 100 else y
            d, mo = (a, b) if day_first else (b, a)
            return date(y, mo, d)
    except ValueError:
        return None
    return None


def local_date(dt: datetime | None, tz: ZoneInfo) -> date | None:
    """A naive-UTC timestamp's calendar date in the configured timezone."""
    if dt is None:
        return None
    return dt.replace(tzinfo=timezone.utc).astimezone(tz).date()


def slug(text: str) -> str:
    """A lower-case key made of letters, digits and dashes."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unnamed"


@dataclass
class People:
    """Resolves Trello members and names in text to person keys."""

    persons: dict[str, Person]
    by_member: dict[str, str]
    by_token: dict[str, str]

    @classmethod
    def build(cls, config_people: dict[str, PersonConfig], rows: BoardRows,
              overrides: dict[str, str]) -> People:
        """People of the config plus the board's unmapped members."""
        persons: dict[str, Person] = {}
        by_token: dict[str, str] = {}
        by_member: dict[str, str] = {}
        for key, pc in config_people.items():
            persons[key] = Person(key=key, name=pc.name, trello_username=pc.trello, mapped=True)
        wanted = {(pc.trello or "").lower().lstrip("@"): key for key, pc in config_people.items() if pc.trello}
        override = {k.lower().lstrip("@"): v for k, v in overrides.items()}
        for m in rows.members:
            uname = (m.get("username") or "").lower()
            key = override.get(m["id"].lower()) or override.get(uname) or wanted.get(m["id"].lower()) \
                or wanted.get(uname)
            if key:
                persons[key].member_id = persons[key].member_id or m["id"]
                persons[key].trello_username = persons[key].trello_username or m.get("username")
            else:
                key = uname or m["id"]
                if key in persons and persons[key].member_id not in (None, m["id"]):
                    key = m["id"]
                persons.setdefault(key, Person(key=key, name=m.get("full_name") or m.get("username") or m["id"],
                                               trello_username=m.get("username"), member_id=m["id"], mapped=False))
            by_member[m["id"]] = key
        for key, p in persons.items():
            tokens = {key, p.name, p.name.split()[0] if p.name.split() else p.name}
            if p.trello_username:
                tokens.add(p.trello_username)
            pc = config_people.get(key)
            if pc:
                tokens.update(pc.aliases)
            for tok in tokens:
                by_token.setdefault(tok.lower().strip(), key)
        return cls(persons, by_member, by_token)

    def member(self, member_id: str | None) -> str | None:
        """Person key of a Trello member id."""
        return self.by_member.get(member_id) if member_id else None

    def name(self, token: str) -> str | None:
        """Person key of a name, first name, username or alias (case-insensitive)."""
        return self.by_token.get(token.lower().strip().lstrip("@"))

    def prefix(self, text: str) -> tuple[str | None, str]:
        """An `@username` or `Name:` at the start of text: (person key, text without it)."""
        if m := _AT_PREFIX.match(text):
            key = self.name(m[1])
            if key:
                return key, text[m.end():].strip()
        if m := _NAME_PREFIX.match(text):
            key = self.name(m[1])
            if key:
                return key, text[m.end():].strip()
        return None, text.strip()

    def in_title(self, title: str) -> str | None:
        """A person named in a checklist title such as 'Best moment - Will' or 'Focus (Jessica)'."""
        for word in re.split(r"[\s\-–—:()/,]+", title):
            if word and (key := self.name(word)):
                return key
        return None


def _data(action: dict[str, Any]) -> dict[str, Any]:
    d = action.get("data")
    if isinstance(d, str):
        try:
            d = json.loads(d)
        except ValueError:
            return {}
    return d if isinstance(d, dict) else {}


def build_domain(rows: BoardRows, mapping: BoardMapping | None, config_people: dict[str, PersonConfig],
                 *, tz: ZoneInfo | str = "UTC", history_complete: bool | None = None) -> Domain:
    """Derive lunches, feedback, goals, commitments and competencies of one board from its mirror rows."""
    tz = ZoneInfo(tz) if isinstance(tz, str) else tz
    mapping = mapping or BoardMapping(board=rows.board_id)
    bid = rows.board_id
    board_name = rows.board.get("name") or bid
    people = People.build(config_people, rows, mapping.members)
    live_members = [m["member_id"] for m in rows.board_members if not m.get("deleted_at")]
    if mapping.subjects:
        subjects = list(mapping.subjects)
    else:
        subjects = list(dict.fromkeys(k for k in (people.member(m) for m in live_members) if k))

    board_people = list(dict.fromkeys(k for k in (people.member(m) for m in live_members) if k))
    lists = {lst["id"]: lst for lst in rows.lists}

    def list_names(names: list[str]) -> set[str]:
        return match_lists(names, lists.values())

    lunch_lists = list_names(mapping.lunches.lists)
    goal_lists = list_names(mapping.goals.lists)
    done_lists = list_names(mapping.goals.done_lists)
    cards = [c for c in rows.cards if not c.get("deleted_at")]
    labels = {lab["id"]: lab for lab in rows.labels}
    card_labels: dict[str, list[str]] = {}
    for cl in rows.card_labels:
        card_labels.setdefault(cl["card_id"], []).append(cl["label_id"])
    card_members: dict[str, list[str]] = {}
    for cm in rows.card_members:
        card_members.setdefault(cm["card_id"], []).append(cm["member_id"])

    d = Domain(boards={bid: board_name})
    label_map = {k.strip().lower(): v for k, v in mapping.labels.items()}

    def competencies_of(card_id: str) -> list[str]:
        out: list[str] = []
        for lid in card_labels.get(card_id, []):
            lab = labels.get(lid)
            if not lab or not lab["name"].strip() or lab.get("deleted_at"):
                continue
            key = label_map.get(lab["name"].strip().lower()) or slug(lab["name"])
            d.competencies.setdefault(key, Competency(key, lab["name"].strip() if key == slug(lab["name"])
                                                      else key.replace("-", " ").replace("_", " ").title()))
            if key not in out:
                out.append(key)
        return out

    # Action history, indexed: Trello stores no completion dates, only these actions.
    item_done: dict[str, datetime] = {}
    card_done: dict[str, datetime] = {}
    card_closed: dict[str, datetime] = {}
    for a in sorted(rows.actions, key=lambda a: (a["date"], a["id"])):
        data = _data(a)
        if a["type"] == "updateCheckItemStateOnCard":
            item = data.get("checkItem") or {}
            if isinstance(item, dict) and item.get("id"):
                if item.get("state") == "complete":
                    item_done[item["id"]] = a["date"]
        elif a["type"] == "updateCard":
            card = data.get("card") or {}
            old = data.get("old") or {}
            cid = card.get("id") if isinstance(card, dict) else None
            if not cid:
                continue
            after = data.get("listAfter") or {}
            if isinstance(after, dict) and after.get("id") in done_lists:
                card_done[cid] = a["date"]
            if isinstance(old, dict) and old.get("dueComplete") is False and card.get("dueComplete") is True:
                card_done[cid] = a["date"]
            if isinstance(old, dict) and old.get("closed") is False and card.get("closed") is True:
                card_closed[cid] = a["date"]

    def completion(item_id: str) -> datetime | None:
        # The last tick: an item unticked and ticked again was completed the second time.
        return item_done.get(item_id)

    checklists_by_card: dict[str, list[dict[str, Any]]] = {}
    for cl in rows.checklists:
        if not cl.get("deleted_at"):
            checklists_by_card.setdefault(cl["card_id"], []).append(cl)
    items_by_checklist: dict[str, list[dict[str, Any]]] = {}
    for it in rows.check_items:
        if not it.get("deleted_at"):
            items_by_checklist.setdefault(it["checklist_id"], []).append(it)

    kinds = {"best": mapping.feedback.best, "worst": mapping.feedback.worst, "focus": mapping.feedback.focus,
             "commitments": mapping.feedback.commitments}
    missing_dates = 0

    # ---- lunches
    lunch_cards = [c for c in cards if c.get("list_id") in lunch_lists]
    for c in lunch_cards:
        if c.get("due"):
            when, source = local_date(c["due"], tz), "due"
        elif nd := date_from_name(c["name"], day_first=mapping.lunches.day_first):
            when, source = nd, "name"
        else:
            when, source = local_date(c.get("created_at") or c.get("date_last_activity"), tz), "created"
        if when is None:
            continue
        # The people at a lunch: the card's members, else the board's members (PRODUCT.md: "its members
        # are the participants"), else its subjects.
        parts = [k for k in (people.member(m) for m in card_members.get(c["id"], [])) if k] \
            or board_people or list(subjects)
        d.lunches.append(Lunch(id=c["id"], board_id=bid, board_name=board_name, date=when, title=c["name"],
                               url=c.get("url"), participants=parts, archived=bool(c.get("closed")),
                               date_source=source))
    d.lunches.sort(key=lambda lu: (lu.date, lu.id))
    lunch_by_id = {lu.id: lu for lu in d.lunches}
    lunch_dates = sorted({lu.date for lu in d.lunches if not lu.archived} | {lu.date for lu in d.lunches})

    def next_lunch(after: date) -> date | None:
        return next((x for x in lunch_dates if x > after), None)

    def about_of(text: str, member_id: str | None, title_person: str | None, lunch: Lunch) -> tuple[str | None, str]:
        who, clean = people.prefix(text)
        if member_id and people.member(member_id):
            who = people.member(member_id)
        who = who or title_person
        if who is None:
            if len(subjects) == 1:
                who = subjects[0]
            elif len(lunch.participants) == 1:
                who = lunch.participants[0]
        return who, clean

    def other_of(who: str | None, lunch: Lunch) -> str | None:
        if who and len(lunch.participants) == 2 and who in lunch.participants:
            return next(p for p in lunch.participants if p != who)
        return None

    def add_entry(kind: str, entry_id: str, text: str, who: str | None, lunch: Lunch, source: str,
                  labs: list[str], item: dict[str, Any] | None = None) -> None:
        nonlocal missing_dates
        if not text:
            return
        if kind == "commitments":
            due = local_date(item.get("due"), tz) if item else None
            done = bool(item and item.get("state") == "complete")
            completed = completion(item["id"]) if item and done else None
            if done and completed is None:
                missing_dates += 1
            d.commitments.append(Commitment(
                id=entry_id, board_id=bid, lunch_id=lunch.id, person=who, text=text, made=lunch.date,
                deadline=due or next_lunch(lunch.date), completed_at=completed, url=lunch.url, done=done))
        else:
            d.feedback.append(FeedbackEntry(
                id=entry_id, board_id=bid, kind=kind, about=who, by=other_of(who, lunch), date=lunch.date,
                text=text, lunch_id=lunch.id, card_url=lunch.url, source=source, labels=labs))

    for c in lunch_cards:
        lunch = lunch_by_id.get(c["id"])
        if lunch is None:
            continue
        labs = competencies_of(c["id"])
        for cl in checklists_by_card.get(c["id"], []):
            kind, rest = _kind_of(cl["name"], kinds)
            if kind is None:
                continue
            title_person = people.in_title(rest) if rest.strip() else None
            for it in items_by_checklist.get(cl["id"], []):
                who, clean = about_of(it["name"], it.get("member_id"), title_person, lunch)
                add_entry(kind, it["id"], clean, who, lunch, "checklist", labs, it)
        for n, (kind, title_person, text) in enumerate(description_sections(c.get("description") or "", kinds, people)):
            who, clean = about_of(text, None, title_person, lunch)
            add_entry(kind, f"{c['id']}:desc:{n}", clean, who, lunch, "description", labs)

    # ---- observations: comments on lunch cards
    ignored = [re.compile(p, re.IGNORECASE) for p in mapping.feedback.ignore_comments]
    for cm in rows.comments:
        lunch = lunch_by_id.get(cm.get("card_id") or "")
        if lunch is None or cm.get("deleted_at") or any(p.search(cm["text"]) for p in ignored):
            continue
        author = people.member(cm.get("member_id"))
        who, clean = people.prefix(cm["text"])
        if who is None:
            others = [p for p in lunch.participants if p != author]
            who = others[0] if len(others) == 1 else (subjects[0] if len(subjects) == 1 else None)
        if clean:
            d.feedback.append(FeedbackEntry(
                id=cm["id"], board_id=bid, kind="observation", about=who, by=author,
                date=local_date(cm["date"], tz) or lunch.date, text=clean, lunch_id=lunch.id,
                card_url=lunch.url, source="comment", labels=competencies_of(lunch.id)))

    # ---- goals
    for c in cards:
        if c.get("list_id") not in goal_lists and c.get("list_id") not in done_lists:
            continue
        owners = [k for k in (people.member(m) for m in card_members.get(c["id"], [])) if k]
        title_owner, title = people.prefix(c["name"])
        if not owners:
            owners = [title_owner] if title_owner else list(subjects)
        achieved = c.get("list_id") in done_lists or bool(c.get("due_complete"))
        if achieved:
            status = "achieved"
            achieved_at = card_done.get(c["id"]) or c.get("date_completed")
            if achieved_at is None:
                missing_dates += 1
        elif c.get("closed"):
            status, achieved_at = "dropped", None
        else:
            status, achieved_at = "open", None
        dropped_at = (card_closed.get(c["id"]) or c.get("date_closed") or c.get("date_last_activity")) \
            if status == "dropped" else None
        krs = []
        for cl in checklists_by_card.get(c["id"], []):
            for it in items_by_checklist.get(cl["id"], []):
                done = it["state"] == "complete"
                krs.append(KeyResult(id=it["id"], name=it["name"], done=done,
                                     completed_at=completion(it["id"]) if done else None, due=it.get("due")))
        d.goals.append(Goal(
            id=c["id"], board_id=bid, owners=owners, title=title or c["name"], description=c.get("description") or "",
            status=status, created=local_date(c.get("created_at") or c.get("date_last_activity"), tz) or date.min,
            due=local_date(c.get("due"), tz), achieved_at=achieved_at, dropped_at=dropped_at, url=c.get("url"),
            labels=competencies_of(c["id"]), key_results=krs))

    # ---- people and provenance
    d.people = people.persons
    if history_complete is None:
        history_complete = len(rows.actions) < ACTION_WINDOW
    if not history_complete and rows.actions:
        oldest = min(a["date"] for a in rows.actions)
        d.history_gaps.append(
            f"{board_name}: the action history held starts on {local_date(oldest, tz)}; completion dates of "
            "earlier check items and goals are unknown (a Trello export carries only the last 1000 actions).")
    if missing_dates:
        d.history_gaps.append(f"{board_name}: {missing_dates} completed item(s) have no completion date in the "
                              "history held; they count as kept.")
    return d
