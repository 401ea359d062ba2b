"""One board's mirror rows + its mapping -> the practices (pure): self-reviews, stakeholder feedback, group
issues and commitments, promises, visibility and shareable marks.

`build_practices` is a sequence of named steps over a `PracticeView` of the board.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from trellosync.config.practices import GroupMapping
from trellosync.config.settings import DEFAULT_TIMEZONE, BoardMapping, PersonConfig
from trellosync.domain import People, date_from_name, local_date
from trellosync.domain.classify import polarity_of
from trellosync.domain.dates import EARLIEST
from trellosync.domain.derive import group_live, live_board_people
from trellosync.domain.history import index_history
from trellosync.domain.matching import match_lists, name_key
from trellosync.domain.model import Commitment, Domain, Reply
from trellosync.domain.practices import (
    Criterion,
    GroupIssue,
    Practices,
    Promise,
    SelfReview,
    StakeholderFeedback,
)
from trellosync.domain.renewal import renewed_marker
from trellosync.domain.replies import card_replies, reply_body
from trellosync.domain.sections import _kind_of, description_sections
from trellosync.domain.visibility import holds_marker, without_marker
from trellosync.domain.voice import description_entries
from trellosync.mirror.normalize import BoardRows

_GROUP = GroupMapping()


@dataclass
class PracticeView:
    """One board's rows indexed for the practices."""

    rows: BoardRows
    mapping: BoardMapping
    tz: ZoneInfo
    people: People
    subjects: list[str]
    cards: list[dict[str, Any]]
    card_members: dict[str, list[str]] = field(default_factory=dict)
    card_labels: dict[str, list[str]] = field(default_factory=dict)  # card id -> label names
    checklists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    item_done: dict[str, datetime] = field(default_factory=dict)  # check item -> last tick (action history)
    card_done: dict[str, datetime] = field(
        default_factory=dict
    )  # card -> entered a promises done list / due complete

    @property
    def board_id(self) -> str:
        """The board's Trello id."""
        return self.rows.board_id

    def lists(self, names: list[str]) -> set[str]:
        """Ids of the board's lists these mapping names refer to."""
        return match_lists(names, self.rows.lists)

    def cards_on(self, names: list[str]) -> list[dict[str, Any]]:
        """Live cards on the lists these names refer to."""
        ids = self.lists(names)
        return [c for c in self.cards if c.get("list_id") in ids]

    def owner(self, card: dict[str, Any]) -> tuple[str | None, str]:
        """Whose card it is (its members, a `Name:` prefix, the board's single subject) and its title."""
        members = [k for k in (self.people.member(m) for m in self.card_members.get(card["id"], [])) if k]
        who, title = self.people.prefix(card.get("name") or "")
        if len(members) == 1:
            who = members[0]
        if who is None and len(self.subjects) == 1:
            who = self.subjects[0]
        return who, title

    def card_date(self, card: dict[str, Any]) -> date | None:
        """A card's date: its due date, a date at the start of its name, else its creation time."""
        return (
            local_date(card.get("due"), self.tz)
            or date_from_name(card.get("name") or "", day_first=self.mapping.lunches.day_first)
            or local_date(card.get("created_at"), self.tz)
        )


def index_practices(
    rows: BoardRows, mapping: BoardMapping, config_people: dict[str, PersonConfig], tz: ZoneInfo
) -> PracticeView:
    """Step 1: people, subjects, cards, checklists and the tick history of one board."""
    people = People.build(config_people, rows, mapping.members)
    board_people = live_board_people(people, rows)
    labels = {lab["id"]: lab["name"] for lab in rows.labels if not lab.get("deleted_at")}
    view = PracticeView(
        rows=rows,
        mapping=mapping,
        tz=tz,
        people=people,
        subjects=list(mapping.subjects) or board_people,
        cards=[c for c in rows.cards if not c.get("deleted_at")],  # archived cards are history too
        card_members=group_live(rows.card_members, "card_id", "member_id"),
        card_labels={
            cid: [labels[x] for x in lids if x in labels]
            for cid, lids in group_live(rows.card_labels, "card_id", "label_id").items()
        },
        checklists=group_live(rows.checklists, "card_id"),
        items=group_live(rows.check_items, "checklist_id"),
    )
    history = index_history(rows, view.lists(mapping.promises.done_lists) if mapping.promises else set())
    view.item_done, view.card_done = history.item_done, history.card_done
    return view


def shareable_marks(view: PracticeView) -> set[str]:
    """Step 2: ids of cards with a shareable label, and of the entries whose own text holds the marker.

    A marker marks only its own entry: a check item, a comment, one section entry of a lunch card's description
    (`<card>:desc:<n>`, numbered as `derive.section_entries` numbers them), or a card that is one entry itself
    (a goal, a promise, a piece of stakeholder feedback). A lunch card's name or description marks no other entry.
    """
    share = {name_key(n) for n in view.mapping.shareable.labels}
    marked = {cid for cid, names in view.card_labels.items() if any(name_key(n) in share for n in names)}
    marker = view.mapping.shareable.marker
    if not marker:
        return marked
    lunch_lists = view.lists(view.mapping.lunches.lists)
    fb = view.mapping.feedback
    kinds = {"best": fb.best, "worst": fb.worst, "focus": fb.focus, "commitments": fb.commitments}
    for c in view.cards:
        if c.get("list_id") not in lunch_lists:
            if holds_marker(c.get("name"), marker) or holds_marker(c.get("description"), marker):
                marked.add(c["id"])
            continue
        for n, (_kind, _who, text) in enumerate(
            description_entries(c.get("description") or "", kinds, view.people)
        ):
            if holds_marker(text, marker):
                marked.add(f"{c['id']}:desc:{n}")
    marked |= {it["id"] for it in view.rows.check_items if holds_marker(it.get("name"), marker)}
    marked |= {cm["id"] for cm in view.rows.comments if holds_marker(cm.get("text"), marker)}
    return marked


def label_subject(view: PracticeView, card: dict[str, Any], label: str) -> tuple[bool, str | None]:
    """Whether a label is a shareable label, and whose entries it marks on its card: the person a label such as
    `Shareable: Will` or `Shareable - Will Smith` names, else the card's subject (`PracticeView.owner`: its
    single member, a `Name:` prefix, the board's single subject), else nobody."""
    key = name_key(label)
    for share in (name_key(n) for n in view.mapping.shareable.labels):
        if key == share:
            return True, view.owner(card)[0]
        rest = key[len(share) :] if key.startswith(share) else ""
        if rest[:1] in (":", "-", "–", "(", " ") and rest.strip(" :-–()"):
            return True, view.people.name(rest.strip(" :-–()"))
    return False, None


def label_marks(view: PracticeView, domain: Domain, stakeholder: list[StakeholderFeedback]) -> set[str]:
    """Step 2b: the entries on a card with a shareable label that are about the card's subject (`label_subject`):
    its check items, description entries and comments (the domain's), and its stakeholder comments. The card
    itself, when it is one entry (a goal, a promise, a piece of stakeholder feedback), is marked by
    `shareable_marks`; an entry about anyone else on the card never is."""
    subject: dict[str, set[str]] = {}
    for card in view.cards:
        for label in view.card_labels.get(card["id"], []):
            is_share, who = label_subject(view, card, label)
            if is_share and who is not None:
                subject.setdefault(card["id"], set()).add(who)
    if not subject:
        return set()
    out = {
        f.id
        for f in domain.feedback
        if f.board_id == view.board_id and f.about in subject.get(f.lunch_id or "", ())
    }
    on_card = {cm["id"]: cm.get("card_id") for cm in view.rows.comments}
    out |= {s.id for s in stakeholder if s.id in on_card and s.about in subject.get(on_card[s.id] or "", ())}
    return out


def self_reviews(view: PracticeView) -> list[SelfReview]:
    """Step 3: cards of the self-review lists, their description (or checklists) in three sections."""
    m = view.mapping.self_reviews
    if m is None:
        return []
    kinds = {"accomplishments": m.accomplishments, "goals": m.goals, "improve": m.improve}
    out = []
    for card in view.cards_on(m.lists):
        person, title = view.owner(card)
        when = view.card_date(card)
        if person is None or when is None:
            continue
        review = SelfReview(
            id=card["id"], board_id=view.board_id, person=person, date=when, title=title, url=card.get("url")
        )
        for kind, _who, text in description_sections(card.get("description") or "", kinds, view.people):
            getattr(review, kind).append(text)
        for cl in view.checklists.get(card["id"], []):
            list_kind, _ = _kind_of(cl["name"], kinds)
            if list_kind:
                getattr(review, list_kind).extend(it["name"].strip() for it in view.items.get(cl["id"], []))
        out.append(review)
    return out


def _from_line(text: str, prefix: str) -> tuple[str | None, str]:
    """A `From: Name` line anywhere in the text: (the name, the text without that line)."""
    pat = re.compile(rf"^\s*{re.escape(prefix)}\s*:\s*(.+?)\s*$", re.IGNORECASE | re.MULTILINE)
    m = pat.search(text)
    if not m:
        return None, text.strip()
    return m[1], (text[: m.start()] + text[m.end() :]).strip()


def _stakeholder(
    view: PracticeView,
    about: str,
    entry_id: str,
    text: str,
    when: date,
    recorded: tuple[str | None, str | None],
    labels: list[str],
    url: str | None,
) -> StakeholderFeedback | None:
    """One piece of feedback: a `From:` line names the stakeholder, else what Trello recorded."""
    m = view.mapping.stakeholder_feedback
    assert m is not None
    written, body = _from_line(text, m.from_prefix)
    polarity, body = polarity_of(
        "observation", without_marker(body, view.mapping.shareable.marker), labels, view.mapping.polarity
    )
    if not body:
        return None
    who: str | None
    source: str | None
    name: str | None
    if written:
        key = view.people.name(written)
        name = view.people.persons[key].name if key else written
        who, source = key, "from_line"
    else:
        who, source = recorded
        name = view.people.persons[who].name if who else None
    if who is not None and who == about:
        return None  # the subject's own words about themselves are no stakeholder's voice
    return StakeholderFeedback(
        id=entry_id,
        board_id=view.board_id,
        about=about,
        said_by=who,
        said_by_name=name,
        said_by_source=source if (who or name) else None,
        date=when,
        text=body,
        polarity=polarity,
        url=url,
    )


def stakeholder_feedback(view: PracticeView) -> list[StakeholderFeedback]:
    """Step 4: a card (its description, else its name) and each comment on it is one piece of feedback."""
    m = view.mapping.stakeholder_feedback
    if m is None:
        return []
    comments = group_live([c for c in view.rows.comments if c.get("card_id")], "card_id")
    out: list[StakeholderFeedback | None] = []
    for card in view.cards_on(m.lists):
        about, title = view.owner(card)
        members = [k for k in (view.people.member(x) for x in view.card_members.get(card["id"], [])) if k]
        about = about if about in view.subjects else (view.subjects[0] if len(view.subjects) == 1 else about)
        when = view.card_date(card)
        if about is None or when is None:
            continue
        others = [k for k in members if k != about]
        recorded = (others[0], "card_member") if len(others) == 1 else (None, None)
        labels = view.card_labels.get(card["id"], [])
        # A comment starting with a reply marker is never feedback: the subject's reply (stakeholder_replies), or
        # nothing when anyone else wrote it; nor does it stop the card's name from being the feedback.
        said = [
            cm
            for cm in comments.get(card["id"], [])
            if reply_body(cm["text"], view.mapping.polarity.reply) is None
        ]
        text = card.get("description") or ("" if said else title)
        if text.strip():
            out.append(_stakeholder(view, about, card["id"], text, when, recorded, labels, card.get("url")))
        for cm in said:
            author = view.people.member(cm.get("member_id"))
            out.append(
                _stakeholder(
                    view,
                    about,
                    cm["id"],
                    cm["text"],
                    local_date(cm["date"], view.tz) or when,
                    (author, "comment_author") if author else (None, None),
                    labels,
                    card.get("url"),
                )
            )
    return [x for x in out if x is not None]


def stakeholder_replies(view: PracticeView, stakeholder: list[StakeholderFeedback]) -> list[Reply]:
    """Step 4b: the subject's replies to the stakeholder feedback about them, by the lunch entries' rule
    (`replies.card_replies`): a comment on the same card starting with a reply marker, naming the piece it
    answers by its first words when the card holds several."""
    card_of = {cm["id"]: cm.get("card_id") for cm in view.rows.comments}
    by_card: dict[str, list[StakeholderFeedback]] = {}
    for s in stakeholder:
        by_card.setdefault(card_of.get(s.id) or s.id, []).append(s)  # a card's own feedback has the card's id
    return card_replies(
        view.board_id,
        view.rows.comments,
        by_card,
        view.mapping.polarity.reply,
        view.people.member,
        lambda when: local_date(when, view.tz),
    )


def _member_checklist(view: PracticeView, name: str) -> str | None:
    """The member a checklist is named after ("Will", "Will Smith"), unless it names a kind of entry."""
    fb = view.mapping.feedback
    kinds = {"x": fb.best + fb.worst + fb.focus + fb.commitments + (view.mapping.group or _GROUP).issues}
    if _kind_of(name, kinds)[0]:
        return None
    return view.people.name(name) or view.people.in_title(name)


def group_entries(view: PracticeView, domain: Domain) -> tuple[list[GroupIssue], list[Commitment]]:
    """Step 5: on a group board (a `group:` section, 3+ subjects), each meeting's issues and the commitments of checklists named
    after a member (checklists named Commitments are the domain's own)."""
    g = view.mapping.group
    if g is None or len(view.subjects) < 3:
        return [], []
    meetings = sorted((lu for lu in domain.lunches if lu.board_id == view.board_id), key=lambda lu: lu.date)
    cards = {c["id"]: c for c in view.cards}
    issues: list[GroupIssue] = []
    commitments: list[Commitment] = []
    issue_prefix = re.compile(rf"^\s*{re.escape(g.issue_prefix)}\s*:\s*", re.IGNORECASE)
    for i, mt in enumerate(meetings):
        card = cards.get(mt.id)
        if card is None:
            continue
        nxt = next((x.date for x in meetings[i + 1 :] if x.date > mt.date), None)
        for cl in view.checklists.get(mt.id, []):
            is_issues = _kind_of(cl["name"], {"issues": g.issues})[0] is not None
            member = None if is_issues else _member_checklist(view, cl["name"])
            for it in view.items.get(cl["id"], []):
                who, text = view.people.prefix(it["name"])
                who = (
                    view.people.member(it.get("member_id"))
                    or who
                    or member
                    or view.people.in_title(cl["name"])
                )
                if who is None or not text:
                    continue
                if is_issues or (member and issue_prefix.match(text)):
                    issues.append(
                        GroupIssue(
                            id=it["id"],
                            board_id=view.board_id,
                            meeting_id=mt.id,
                            person=who,
                            date=mt.date,
                            text=issue_prefix.sub("", text),
                            url=mt.url,
                        )
                    )
                elif member:
                    done = it.get("state") == "complete"
                    marked, text = renewed_marker(text)
                    commitments.append(
                        Commitment(
                            id=it["id"],
                            board_id=view.board_id,
                            lunch_id=mt.id,
                            person=who,
                            text=text,
                            made=mt.date,
                            deadline=local_date(it.get("due"), view.tz) or nxt,
                            completed_at=view.item_done.get(it["id"]) if done else None,
                            url=mt.url,
                            done=done,
                            marked_renewed=marked,
                        )
                    )
    return issues, commitments


def promises(view: PracticeView) -> list[Promise]:
    """Step 6: promise cards: owner, due date, success criteria with their tick dates."""
    m = view.mapping.promises
    if m is None:
        return []
    done_lists = view.lists(m.done_lists)
    cards = view.cards_on(m.lists + m.done_lists)
    out = []
    for card in cards:
        person, title = view.owner(card)
        criteria = [
            Criterion(
                id=it["id"],
                name=it["name"].strip(),
                done=it.get("state") == "complete",
                completed_at=view.item_done.get(it["id"]) if it.get("state") == "complete" else None,
            )
            for cl in view.checklists.get(card["id"], [])
            for it in view.items.get(cl["id"], [])
        ]
        done_flag = bool(card.get("due_complete")) or card.get("list_id") in done_lists
        out.append(
            Promise(
                id=card["id"],
                board_id=view.board_id,
                person=person,
                title=title,
                made=local_date(card.get("created_at"), view.tz) or EARLIEST,
                due=local_date(card.get("due"), view.tz),
                criteria=criteria,
                met_at=view.card_done.get(card["id"]) if done_flag else None,
                done_flag=done_flag,
                archived=bool(card.get("closed")),
                url=card.get("url"),
            )
        )
    return out


def build_practices(
    rows: BoardRows,
    mapping: BoardMapping | None,
    config_people: dict[str, PersonConfig],
    domain: Domain,
    *,
    tz: ZoneInfo | str = DEFAULT_TIMEZONE,
) -> tuple[Practices, list[Commitment], list[Reply]]:
    """The practices of one board, the group commitments that join the domain's commitments, and the replies to
    its stakeholder feedback that join the domain's replies (every reply is kept in one place)."""
    tz = ZoneInfo(tz) if isinstance(tz, str) else tz
    mapping = mapping or BoardMapping(board=rows.board_id)
    view = index_practices(rows, mapping, config_people, tz)
    issues, group_commitments = group_entries(view, domain)
    stakeholder = stakeholder_feedback(view)
    p = Practices(
        self_reviews=self_reviews(view),
        stakeholder_feedback=stakeholder,
        group_issues=issues,
        promises=promises(view),
        visibility={view.board_id: mapping.visibility},
        marked=shareable_marks(view) | label_marks(view, domain, stakeholder),
        markers={view.board_id: mapping.shareable.marker} if mapping.shareable.marker else {},
        advocates={k: pc.advocate for k, pc in config_people.items() if pc.advocate},
    )
    if mapping.group is not None and len(view.subjects) >= 3:
        p.group_boards[view.board_id] = list(view.subjects)
    return p, group_commitments, stakeholder_replies(view, stakeholder)
