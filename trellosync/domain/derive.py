"""One board's mirror rows plus its mapping -> the domain, as a sequence of small named steps."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from trellosync.config.settings import DEFAULT_TIMEZONE, BoardMapping, PersonConfig
from trellosync.domain.classify import CompetencyIndex, competency_of, polarity_of
from trellosync.domain.dates import EARLIEST, local_date, lunch_date
from trellosync.domain.history import History, fix_desc_edits, index_history
from trellosync.domain.matching import match_lists, name_key
from trellosync.domain.model import (
    Commitment,
    Competency,
    Domain,
    FeedbackEntry,
    Goal,
    KeyResult,
    Lunch,
    Reply,
)
from trellosync.domain.people import People
from trellosync.domain.renewal import link_renewals, renewed_marker
from trellosync.domain.replies import card_replies, reply_body
from trellosync.domain.sections import _kind_of
from trellosync.domain.voice import (
    UNKNOWN,
    Voice,
    declared_voice,
    description_authors,
    description_entries,
    trello_voice,
)
from trellosync.mirror.ids import slug
from trellosync.mirror.normalize import ACTION_WINDOW, BoardRows

KINDS = ("best", "worst", "focus", "commitments")


@dataclass
class BoardView:
    """One board's rows indexed for derivation, with its mapping, people and history."""

    rows: BoardRows
    mapping: BoardMapping
    tz: ZoneInfo
    people: People
    subjects: list[str]
    board_people: list[str]
    lunch_lists: set[str]
    goal_lists: set[str]
    done_lists: set[str]
    history: History
    cards: list[dict[str, Any]]
    card_members: dict[str, list[str]] = field(default_factory=dict)
    card_label_names: dict[str, list[str]] = field(default_factory=dict)
    checklists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # card id -> checklists
    items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # checklist id -> items
    competencies: dict[str, Competency] = field(default_factory=dict)
    label_competency: dict[str, str] = field(default_factory=dict)  # lower-case label name -> key
    mapped_keys: set[str] = field(
        default_factory=set
    )  # keys the mapping's labels name (all when it maps none)
    index: CompetencyIndex = field(default_factory=CompetencyIndex)
    missing_dates: int = 0

    @property
    def board_id(self) -> str:
        """The board's Trello id."""
        return self.rows.board_id

    @property
    def board_name(self) -> str:
        """The board's name (its id when nameless)."""
        return self.rows.board.get("name") or self.rows.board_id

    @property
    def kinds(self) -> dict[str, list[str]]:
        """Checklist / section names of each kind of entry."""
        fb = self.mapping.feedback
        return {"best": fb.best, "worst": fb.worst, "focus": fb.focus, "commitments": fb.commitments}

    def card_competencies(self, card_id: str) -> list[str]:
        """Competency keys of a card's mapped labels (polarity labels excluded), in label order."""
        keys = (self.label_competency.get(n.strip().lower()) for n in self.card_label_names.get(card_id, []))
        return list(dict.fromkeys(k for k in keys if k))

    def entry_label_competencies(self, card_id: str) -> list[str]:
        """The card's competencies that count for the single-label rule: only those the mapping maps."""
        return [k for k in self.card_competencies(card_id) if k in self.mapped_keys]


def group_live(rows: list[dict[str, Any]], key: str, value: str | None = None) -> dict[str, list[Any]]:
    """Mirror rows not deleted, grouped by `key` (the whole row, or its `value` column)."""
    out: dict[str, list[Any]] = {}
    for r in rows:
        if not r.get("deleted_at"):
            out.setdefault(r[key], []).append(r[value] if value else r)
    return out


def live_board_people(people: People, rows: BoardRows) -> list[str]:
    """The person keys of the board's current members, in member order."""
    live = [m["member_id"] for m in rows.board_members if not m.get("deleted_at")]
    return list(dict.fromkeys(k for k in (people.member(m) for m in live) if k))


def index_board(
    rows: BoardRows, mapping: BoardMapping, config_people: dict[str, PersonConfig], tz: ZoneInfo
) -> BoardView:
    """Step 1: people, subjects, mapped lists, cards and the action history of one board."""
    people = People.build(config_people, rows, mapping.members)
    board_people = live_board_people(people, rows)
    lists = [lst for lst in rows.lists]
    done_lists = match_lists(mapping.goals.done_lists, lists)
    cards = [c for c in rows.cards if not c.get("deleted_at")]
    history = index_history(rows, done_lists)
    fix_desc_edits(history, {c["id"]: c.get("description") or "" for c in cards})
    labels = {lab["id"]: lab for lab in rows.labels if not lab.get("deleted_at")}
    label_names = {
        cid: [labels[lid]["name"] for lid in lids if lid in labels]
        for cid, lids in group_live(rows.card_labels, "card_id", "label_id").items()
    }
    return BoardView(
        rows=rows,
        mapping=mapping,
        tz=tz,
        people=people,
        subjects=list(mapping.subjects) or board_people,
        board_people=board_people,
        lunch_lists=match_lists(mapping.lunches.lists, lists),
        goal_lists=match_lists(mapping.goals.lists, lists),
        done_lists=done_lists,
        history=history,
        cards=cards,
        card_members=group_live(rows.card_members, "card_id", "member_id"),
        card_label_names=label_names,
        checklists=group_live(rows.checklists, "card_id"),
        items=group_live(rows.check_items, "checklist_id"),
    )


def map_competencies(view: BoardView, keywords: dict[str, list[str]] | None) -> None:
    """Step 2: label -> competency (mapped, else a theme by slug) and the index that reads entries' text."""
    mapped = {k.strip().lower(): v for k, v in view.mapping.labels.items()}
    polarity_labels = {k.strip().lower() for k in view.mapping.polarity.labels}
    share_labels = {
        name_key(k) for k in view.mapping.shareable.labels
    }  # marks what may be shown, not a skill
    for lab in view.rows.labels:
        name = (lab.get("name") or "").strip()
        low = name.lower()
        if not name or lab.get("deleted_at") or low in polarity_labels or name_key(name) in share_labels:
            continue
        key = mapped.get(low) or slug(name)
        if low in mapped or not mapped:
            view.mapped_keys.add(key)
        title = name if key == slug(name) else key.replace("-", " ").replace("_", " ").title()
        view.competencies.setdefault(key, Competency(key, title))
        view.label_competency[low] = key
    for key in view.mapping.competency_aliases:
        view.competencies.setdefault(key, Competency(key, key.replace("-", " ").replace("_", " ").title()))
    words = keywords_by_key(view.competencies, keywords or {})
    for key in words:
        view.competencies.setdefault(key, Competency(key, key.replace("-", " ").replace("_", " ").title()))
    names = {k: c.name for k, c in view.competencies.items()}
    view.index = CompetencyIndex.build(names, view.mapping.competency_aliases, words)


def keywords_by_key(
    competencies: dict[str, Competency], keywords: dict[str, list[str]]
) -> dict[str, list[str]]:
    """Ladder keywords under the board's own competency keys: a ladder may name one by key or by name, in any case."""
    known: dict[str, str] = {}
    for key, comp in competencies.items():
        known.setdefault(key.lower(), key)
        known.setdefault(comp.name.lower(), key)
    out: dict[str, list[str]] = {}
    for key, words in keywords.items():
        out.setdefault(known.get(key.lower(), key), []).extend(words)
    return out


def derive_lunches(view: BoardView) -> list[Lunch]:
    """Step 3: one Lunch per card of a lunches list, about the board's subjects (else the card's members)."""
    out = []
    for c in view.cards:
        if c.get("list_id") not in view.lunch_lists:
            continue
        when, source = lunch_date(c, view.tz, day_first=view.mapping.lunches.day_first)
        if when is None:
            continue
        members = [k for k in (view.people.member(m) for m in view.card_members.get(c["id"], [])) if k]
        about = list(view.mapping.subjects) or members or list(view.subjects)
        out.append(
            Lunch(
                id=c["id"],
                board_id=view.board_id,
                board_name=view.board_name,
                date=when,
                title=c["name"],
                url=c.get("url"),
                participants=members or view.board_people or about,
                archived=bool(c.get("closed")),
                date_source=source,
                about=about,
                every_days=view.mapping.lunches.every_days,
            )
        )
    return sorted(out, key=lambda lu: (lu.date, lu.id))


def entry_about(
    view: BoardView, text: str, member_id: str | None, title_person: str | None, lunch: Lunch
) -> tuple[str | None, str]:
    """Who an entry is about: assigned member, @/Name: prefix, person in the title, else the single subject."""
    who, clean = view.people.prefix(text)
    if member_id and view.people.member(member_id):
        who = view.people.member(member_id)
    who = who or title_person
    if who is None and len(lunch.about) == 1:
        who = lunch.about[0]
    return who, clean


def make_entry(
    view: BoardView,
    kind: str,
    entry_id: str,
    text: str,
    about: str | None,
    voice: Voice,
    lunch: Lunch,
    source: str,
    when: date | None = None,
) -> FeedbackEntry:
    """A FeedbackEntry with its polarity (kind or marker) and competency (own text, else single label)."""
    polarity, text = polarity_of(kind, text, view.card_label_names.get(lunch.id, []), view.mapping.polarity)
    card_comps = view.card_competencies(lunch.id)
    competency, how = competency_of(text, view.entry_label_competencies(lunch.id), view.index)
    return FeedbackEntry(
        id=entry_id,
        board_id=view.board_id,
        kind=kind,
        about=about,
        said_by=voice.said_by,
        date=when or lunch.date,
        text=text,
        lunch_id=lunch.id,
        card_url=lunch.url,
        source=source,
        said_by_source=voice.source,
        polarity=polarity,
        competency=competency,
        competency_source=how,
        card_labels=card_comps,
    )


def make_commitment(
    view: BoardView,
    item: dict[str, Any] | None,
    entry_id: str,
    text: str,
    who: str | None,
    lunch: Lunch,
    next_lunch: date | None,
) -> Commitment:
    """A Commitment: deadline is the item's due, else the board's next lunch; completion from the history."""
    done = bool(item and item.get("state") == "complete")
    completed = view.history.item_done.get(item["id"]) if item and done else None
    view.missing_dates += done and completed is None
    due = local_date(item.get("due"), view.tz) if item else None
    marked, text = renewed_marker(text)
    return Commitment(
        id=entry_id,
        board_id=view.board_id,
        lunch_id=lunch.id,
        person=who,
        text=text,
        made=lunch.date,
        deadline=due or next_lunch,
        completed_at=completed,
        url=lunch.url,
        done=done,
        marked_renewed=marked,
    )


@dataclass
class Entries:
    """What the lunch cards of a board hold."""

    feedback: list[FeedbackEntry] = field(default_factory=list)
    commitments: list[Commitment] = field(default_factory=list)


def _next_lunch(dates: list[date], after: date) -> date | None:
    """The first of the sorted lunch `dates` after `after` (a bisection: boards have thousands of lunches)."""
    i = bisect.bisect_right(dates, after)
    return dates[i] if i < len(dates) else None


def checklist_entries(
    view: BoardView, card: dict[str, Any], lunch: Lunch, next_lunch: date | None, out: Entries
) -> None:
    """Step 4a: each item of a Best/Worst/Focus/Commitments checklist; authors only as the mapping declares."""
    for cl in view.checklists.get(card["id"], []):
        kind, rest = _kind_of(cl["name"], view.kinds)
        if kind is None:
            continue
        title_person = view.people.in_title(rest) if rest.strip() else None
        for it in view.items.get(cl["id"], []):
            who, clean = entry_about(view, it["name"], it.get("member_id"), title_person, lunch)
            if not clean:
                continue
            if kind == "commitments":
                out.commitments.append(make_commitment(view, it, it["id"], clean, who, lunch, next_lunch))
                continue
            voice = declared_voice(view.mapping.feedback, kind, cl["name"], who, lunch.about, view.people)
            out.feedback.append(make_entry(view, kind, it["id"], clean, who, voice, lunch, "checklist"))


def section_entries(
    view: BoardView, card: dict[str, Any], lunch: Lunch, next_lunch: date | None, out: Entries
) -> None:
    """Step 4b: description sections; the author is whoever's edit added the section (updateCard), if known."""
    desc = card.get("description") or ""
    if not desc.strip():
        return
    authors = description_authors(view.history.desc_edits.get(card["id"], []), view.kinds, view.people)
    for n, entry in enumerate(description_entries(desc, view.kinds, view.people)):
        kind, title_person, text = entry
        who, clean = entry_about(view, text, None, title_person, lunch)
        if not clean:
            continue
        entry_id = f"{card['id']}:desc:{n}"
        if kind == "commitments":
            out.commitments.append(make_commitment(view, None, entry_id, clean, who, lunch, next_lunch))
            continue
        voice = trello_voice(authors.get(entry), view.people)
        if voice is UNKNOWN:
            voice = declared_voice(view.mapping.feedback, kind, None, who, lunch.about, view.people)
        out.feedback.append(make_entry(view, kind, entry_id, clean, who, voice, lunch, "description"))


# A comment that says "you" or "your" speaks to the card's participant: names in it are context ("your board
# with Jessica"), not whom it is about.
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself|you're|you've|you'll|you'd)\b", re.IGNORECASE)


def comment_about(view: BoardView, text: str, author: str | None, lunch: Lunch) -> tuple[str | None, str]:
    """Who a comment is about: a leading `@username` or `Name:` prefix; else the one mapped person its text names
    other than the card's participants, its subjects and its author (naming several: nobody), unless it speaks
    to someone ("you", "your": it is about the participant it speaks to); else the pair member who is not its
    author, else the subject."""
    who, clean = view.people.prefix(text)
    if who is not None:
        return who, clean
    present = {*lunch.participants, *lunch.about, author}
    named = (
        [] if _SECOND_PERSON.search(clean) else [k for k in view.people.mentioned(clean) if k not in present]
    )
    if named:
        return (named[0] if len(named) == 1 else None), clean
    others = [p for p in lunch.about if p != author]
    return (others[0] if len(others) == 1 else (lunch.about[0] if len(lunch.about) == 1 else None)), clean


def observations(view: BoardView, lunch_by_id: dict[str, Lunch]) -> list[FeedbackEntry]:
    """Step 5: comments on lunch cards (minus ignored logistics), by their Trello author."""
    ignored = [re.compile(p, re.IGNORECASE) for p in view.mapping.feedback.ignore_comments]
    out = []
    for cm in view.rows.comments:
        lunch = lunch_by_id.get(cm.get("card_id") or "")
        if lunch is None or cm.get("deleted_at") or any(p.search(cm["text"]) for p in ignored):
            continue
        if reply_body(cm["text"], view.mapping.polarity.reply) is not None:
            continue  # a reply is never evidence (derive_replies)
        voice = trello_voice(cm.get("member_id"), view.people)
        who, clean = comment_about(view, cm["text"], voice.said_by, lunch)
        if clean:
            out.append(
                make_entry(
                    view,
                    "observation",
                    cm["id"],
                    clean,
                    who,
                    voice,
                    lunch,
                    "comment",
                    local_date(cm["date"], view.tz) or lunch.date,
                )
            )
    return out


def derive_replies(view: BoardView, lunches: list[Lunch], feedback: list[FeedbackEntry]) -> list[Reply]:
    """Step 5b: a lunch-card comment by the person entries on that card are about, starting with a reply marker."""
    lunch_ids = {lu.id for lu in lunches}
    by_card: dict[str, list[FeedbackEntry]] = {card: [] for card in lunch_ids}
    for f in feedback:
        if f.lunch_id in by_card:
            by_card[f.lunch_id].append(f)
    return card_replies(
        view.board_id,
        view.rows.comments,
        by_card,
        view.mapping.polarity.reply,
        view.people.member,
        lambda when: local_date(when, view.tz),
    )


def lunch_entries(view: BoardView, lunches: list[Lunch]) -> Entries:
    """Step 4: the entries and commitments of every lunch card, then the comments on them."""
    out = Entries()
    by_id = {lu.id: lu for lu in lunches}
    dates = [lu.date for lu in lunches]  # sorted: derive_lunches orders by date
    for card in view.cards:
        lunch = by_id.get(card["id"])
        if lunch is None:
            continue
        nxt = _next_lunch(dates, lunch.date)
        checklist_entries(view, card, lunch, nxt, out)
        section_entries(view, card, lunch, nxt, out)
    out.feedback += observations(view, by_id)
    return out


def goal_state(view: BoardView, card: dict[str, Any]) -> tuple[str, Any, Any]:
    """(status, achieved_at, dropped_at) of a goal card now; dates from the history, None when it lost them."""
    if card.get("list_id") in view.done_lists or card.get("due_complete"):
        achieved_at = view.history.card_done.get(card["id"]) or card.get("date_completed")
        view.missing_dates += achieved_at is None
        return "achieved", achieved_at, None
    if card.get("closed"):
        return "dropped", None, view.history.card_closed.get(card["id"]) or card.get("date_closed")
    return "open", None, None


def goal_events(view: BoardView, card: dict[str, Any]) -> list[tuple[Any, str]]:
    """(when, status after) each time the history shows a goal's status change: list moves, dueComplete, archive."""
    state: dict[str, Any] = {"list": None, "due_complete": False, "closed": False}
    events: list[tuple[Any, str]] = []
    for when, what, value in view.history.card_changes.get(card["id"], []):
        state[what] = value
        status = (
            "achieved"
            if state["list"] in view.done_lists or state["due_complete"]
            else "dropped"
            if state["closed"]
            else "open"
        )
        if not events or events[-1][1] != status:
            events.append((when, status))
    return events


def derive_goals(view: BoardView) -> list[Goal]:
    """Step 6: one Goal per card of a goals or done list, with its key results' tick dates."""
    out = []
    goal_lists = view.goal_lists | view.done_lists
    for c in view.cards:
        if c.get("list_id") not in goal_lists:
            continue
        owners = [k for k in (view.people.member(m) for m in view.card_members.get(c["id"], [])) if k]
        title_owner, title = view.people.prefix(c["name"])
        status, achieved_at, dropped_at = goal_state(view, c)
        krs = [
            KeyResult(
                id=it["id"],
                name=it["name"],
                done=it["state"] == "complete",
                completed_at=view.history.item_done.get(it["id"]) if it["state"] == "complete" else None,
                due=it.get("due"),
            )
            for cl in view.checklists.get(c["id"], [])
            for it in view.items.get(cl["id"], [])
        ]
        out.append(
            Goal(
                id=c["id"],
                board_id=view.board_id,
                owners=owners or ([title_owner] if title_owner else list(view.subjects)),
                title=title or c["name"],
                description=c.get("description") or "",
                status=status,
                created=local_date(c.get("created_at") or c.get("date_last_activity"), view.tz) or EARLIEST,
                due=local_date(c.get("due"), view.tz),
                achieved_at=achieved_at,
                dropped_at=dropped_at,
                url=c.get("url"),
                labels=view.card_competencies(c["id"]),
                key_results=krs,
                events=goal_events(view, c),
            )
        )
    return out


def history_gaps(view: BoardView, history_complete: bool | None) -> list[str]:
    """Step 7: what the history held cannot say (an export keeps only the last 1000 actions)."""
    gaps = []
    rows = view.rows
    if history_complete is None:
        history_complete = len(rows.actions) < ACTION_WINDOW
    if not history_complete and rows.actions:
        oldest = min(a["date"] for a in rows.actions)
        gaps.append(
            f"{view.board_name}: the action history held starts on {local_date(oldest, view.tz)}; completion dates "
            "of earlier check items and goals are unknown (a Trello export carries only the last 1000 actions)."
        )
    if view.missing_dates:
        gaps.append(
            f"{view.board_name}: {view.missing_dates} completed item(s) have no completion date in the "
            "history held; they are shown as done, date unknown."
        )
    return gaps


def build_domain(
    rows: BoardRows,
    mapping: BoardMapping | None,
    config_people: dict[str, PersonConfig],
    *,
    tz: ZoneInfo | str = DEFAULT_TIMEZONE,
    history_complete: bool | None = None,
    keywords: dict[str, list[str]] | None = None,
) -> Domain:
    """Derive lunches, feedback, goals, commitments and competencies of one board from its mirror rows.

    `keywords` (competency key -> words, e.g. from a career ladder) lets an entry's text classify it.
    """
    tz = ZoneInfo(tz) if isinstance(tz, str) else tz
    view = index_board(rows, mapping or BoardMapping(board=rows.board_id), config_people, tz)
    map_competencies(view, keywords)
    lunches = derive_lunches(view)
    entries = lunch_entries(view, lunches)
    goals = derive_goals(view)
    replies = derive_replies(view, lunches, entries.feedback)
    link_renewals(entries.commitments, tz)
    return Domain(
        people=view.people.persons,
        lunches=lunches,
        feedback=entries.feedback,
        goals=goals,
        commitments=entries.commitments,
        competencies=view.competencies,
        boards={view.board_id: view.board_name},
        history_gaps=history_gaps(view, history_complete),
        board_subjects={view.board_id: list(view.subjects)},
        board_every_days={view.board_id: view.mapping.lunches.every_days},
        timezone=tz.key,
        replies=replies,
    )
