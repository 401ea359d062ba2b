#!/usr/bin/env python3
"""Generate the example boards of the practices around the lunch, in ``trellosync/example/``.

Runs after ``scripts/make_example.py`` (which owns the lunch boards and ``config.yaml``): writes three board
exports and re-adds its block to ``config.yaml`` (between the ``# --- practices`` markers, plus each
person's ``advocate:``). Everything is invented, deterministic and offline; the data ends on 2026-11-15.

    python scripts/make_example.py && python scripts/make_example_practices.py
    python scripts/make_example_practices.py --out /tmp/ex     # a folder that holds make_example's output

Boards:
- ``Will – self-review & stakeholders`` (private): two self-reviews, stakeholder feedback attributed by a
  ``From:`` line, a card member and a comment author (and one piece nobody signed), Will's promises with
  success criteria (kept, late, broken, open); one promise and two pieces of praise marked shareable.
- ``Peer learning group: Platform leads`` (private, four members): monthly meetings with one checklist per
  member (``Issue: ...`` plus commitments, ticked on time, late or never); Diego raises the on-call rota at
  four meetings.
- ``Platform team: promises & wins`` (visibility ``team``): the team's promises and goals, and a team lunch
  whose worst moments must never reach a showcase.
"""

from __future__ import annotations

import argparse
import json
import re
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

UTC = timezone.utc
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "trellosync" / "example"
BEGIN, END = "# --- practices (scripts/make_example_practices.py) ---", "# --- end of practices ---"
ADVOCATES = {"will": "amara", "amara": "jessica", "diego": "will", "jessica": "diego"}

MEMBERS = {  # the example workspace's member ids (scripts/make_example.py)
    "will": ("5c8626da020b7296014c3ef5", "willsmith", "Will Smith"),
    "jessica": ("5f4fcb13020b7296014c3ef6", "jessjones", "Jessica Jones"),
    "amara": ("600540cf020b7296014c3ef7", "amaraokafor", "Amara Okafor"),
    "diego": ("5b3140e1020b7296014c3ef8", "diegoramirez", "Diego Ramírez"),
}


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def at(day: str, hh: int = 12, mm: int = 0) -> datetime:
    d = date.fromisoformat(day)
    return datetime(d.year, d.month, d.day, hh, mm, tzinfo=UTC)


class BoardMaker:
    """A Trello board export under construction; ids are ObjectIds with a per-board machine part."""

    def __init__(self, name: str, machine: str, created: str, members: list[str], short_link: str):
        self.machine, self.counter = machine, 0
        self.id = self.oid(at(created, 9))
        self.members = members
        self.data: dict[str, Any] = {
            "id": self.id,
            "name": name,
            "desc": "",
            "closed": False,
            "dateClosed": None,
            "url": f"https://trello.com/b/{short_link}/{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}",
            "shortLink": short_link,
            "shortUrl": f"https://trello.com/b/{short_link}",
            "prefs": {"permissionLevel": "org"},
            "dateLastActivity": None,
            "actions": [],
            "cards": [],
            "checklists": [],
            "labels": [],
            "lists": [],
            "members": [
                {
                    "id": MEMBERS[k][0],
                    "username": MEMBERS[k][1],
                    "fullName": MEMBERS[k][2],
                    "memberType": "normal",
                }
                for k in members
            ],
            "memberships": [{"idMember": MEMBERS[k][0], "memberType": "normal"} for k in members],
        }
        self.list_ids: dict[str, str] = {}
        self.label_ids: dict[str, str] = {}
        self.items: dict[str, dict[str, Any]] = {}
        self.cards: dict[str, dict[str, Any]] = {}

    def oid(self, when: datetime) -> str:
        self.counter += 1
        return f"{int(when.timestamp()):08x}{self.machine}{self.counter:06x}"

    def lst(self, name: str) -> str:
        if name not in self.list_ids:
            lid = self.oid(datetime.fromtimestamp(int(self.id[:8], 16), tz=UTC))
            self.list_ids[name] = lid
            self.data["lists"].append(
                {
                    "id": lid,
                    "name": name,
                    "closed": False,
                    "idBoard": self.id,
                    "pos": 16384 * len(self.list_ids),
                }
            )
        return self.list_ids[name]

    def label(self, name: str, color: str) -> str:
        if name not in self.label_ids:
            lid = self.oid(datetime.fromtimestamp(int(self.id[:8], 16), tz=UTC))
            self.label_ids[name] = lid
            self.data["labels"].append({"id": lid, "idBoard": self.id, "name": name, "color": color})
        return self.label_ids[name]

    def action(self, kind: str, when: datetime, by: str, data: dict[str, Any]) -> None:
        mid, user, full = MEMBERS[by]
        board = {"id": self.id, "name": self.data["name"], "shortLink": self.data["shortLink"]}
        self.data["actions"].append(
            {
                "id": self.oid(when),
                "idMemberCreator": mid,
                "data": {**data, "board": board},
                "type": kind,
                "date": iso(when),
                "memberCreator": {"id": mid, "username": user, "fullName": full},
            }
        )

    def card(
        self,
        list_name: str,
        name: str,
        created: datetime,
        by: str,
        *,
        desc: str = "",
        due: datetime | None = None,
        members: tuple[str, ...] = (),
        labels: tuple[str, ...] = (),
    ) -> str:
        cid = self.oid(created)
        card = {
            "id": cid,
            "name": name,
            "desc": desc,
            "closed": False,
            "dateClosed": None,
            "due": iso(due) if due else None,
            "dueComplete": False,
            "dateCompleted": None,
            "dateLastActivity": iso(created),
            "idBoard": self.id,
            "idList": self.lst(list_name),
            "idChecklists": [],
            "idLabels": [self.label_ids[x] for x in labels],
            "idMembers": [MEMBERS[m][0] for m in members],
            "pos": 16384 * (len(self.data["cards"]) + 1),
            "shortLink": cid[-8:],
            "shortUrl": f"https://trello.com/c/{cid[-8:]}",
            "url": f"https://trello.com/c/{cid[-8:]}",
        }
        self.data["cards"].append(card)
        self.cards[cid] = card
        self.action(
            "createCard",
            created,
            by,
            {"card": {"id": cid, "name": name}, "list": {"id": card["idList"], "name": list_name}},
        )
        return cid

    def checklist(self, cid: str, name: str, items: list[str], when: datetime) -> list[str]:
        clid = self.oid(when)
        rows = [
            {
                "id": self.oid(when),
                "name": text,
                "pos": 16384 * (i + 1),
                "state": "incomplete",
                "due": None,
                "idMember": None,
                "idChecklist": clid,
            }
            for i, text in enumerate(items)
        ]
        self.data["checklists"].append(
            {
                "id": clid,
                "name": name,
                "idBoard": self.id,
                "idCard": cid,
                "pos": 16384 * (len(self.cards[cid]["idChecklists"]) + 1),
                "checkItems": rows,
            }
        )
        self.cards[cid]["idChecklists"].append(clid)
        self.items.update({r["id"]: r for r in rows})
        return [r["id"] for r in rows]

    def tick(self, cid: str, item_id: str, when: datetime, by: str) -> None:
        item = self.items[item_id]
        item["state"] = "complete"
        self.action(
            "updateCheckItemStateOnCard",
            when,
            by,
            {
                "card": {"id": cid, "name": self.cards[cid]["name"]},
                "checkItem": {"id": item_id, "name": item["name"], "state": "complete"},
            },
        )

    def comment(self, cid: str, text: str, when: datetime, by: str) -> None:
        self.action(
            "commentCard", when, by, {"text": text, "card": {"id": cid, "name": self.cards[cid]["name"]}}
        )

    def move(self, cid: str, list_name: str, when: datetime, by: str) -> None:
        card = self.cards[cid]
        before = next(n for n, i in self.list_ids.items() if i == card["idList"])
        card["idList"] = self.lst(list_name)
        self.action(
            "updateCard",
            when,
            by,
            {
                "card": {"id": cid, "name": card["name"], "idList": card["idList"]},
                "old": {"idList": self.list_ids[before]},
                "listBefore": {"id": self.list_ids[before], "name": before},
                "listAfter": {"id": card["idList"], "name": list_name},
            },
        )

    def export(self) -> dict[str, Any]:
        self.data["actions"].sort(key=lambda a: (a["date"], a["id"]), reverse=True)  # newest first, as Trello
        self.data["dateLastActivity"] = self.data["actions"][0]["date"]
        return self.data


# --------------------------------------------------------------------------------------------------


def promise(
    b: BoardMaker,
    owner: str,
    title: str,
    made: str,
    due: str,
    criteria: list[tuple[str, str | None]],
    *,
    labels: tuple[str, ...] = (),
    list_name: str = "Promises",
) -> str:
    """A promise card; each criterion is (text, the day it was ticked or None)."""
    cid = b.card(list_name, title, at(made, 10), owner, due=at(due, 17), members=(owner,), labels=labels)
    ids = b.checklist(cid, "Success criteria", [c for c, _ in criteria], at(made, 10, 5))
    for item, (_, ticked) in zip(ids, criteria, strict=True):
        if ticked:
            b.tick(cid, item, at(ticked, 16), owner)
    return cid


def advocate_board() -> dict[str, Any]:
    """Will's private board: self-reviews, stakeholder feedback and promises."""
    b = BoardMaker(
        "Will – self-review & stakeholders",
        "a1c3e5f7b9",
        "2026-04-20",
        ["will", "amara", "jessica", "diego"],
        "Wv7sR2kq",
    )
    b.label("Shareable", "sky")
    b.lst("Self-reviews"), b.lst("Stakeholder feedback"), b.lst("Promises")
    b.card(
        "Self-reviews",
        "2026-05-04 Self-review: spring",
        at("2026-05-04", 8),
        "will",
        members=("will",),
        desc=(
            "## Recent accomplishments\n- Billing cutover to Postgres 16 with an 11 minute read-only window\n"
            "- Wrote the retry-queue design doc before coding\n\n## Future goals\n- Lead the payments platform "
            "roadmap for H2\n- Speak at the Eng Summit\n\n## Ways to improve\n- Estimate with the team instead of "
            "for it\n- Leave room for others in design reviews"
        ),
    )
    b.card(
        "Self-reviews",
        "2026-10-26 Self-review: autumn",
        at("2026-10-26", 8),
        "will",
        members=("will",),
        desc=(
            "## Recent accomplishments\n- Eng Summit talk: 140 people, questions on the shadow-traffic setup\n"
            "- Tomasz now runs the on-call handover on his own\n- Design doc template adopted by two other teams\n\n"
            "## Future goals\n- Staff engineer case by Q1\n- Hand the dedup service to the data team\n\n"
            "## Ways to improve\n- Design reviews: ask before I answer, and count how often I speak first\n"
            "- Say no to side requests in writing, not in the corridor"
        ),
    )
    b.card(
        "Stakeholder feedback",
        "Onboarding guide",
        at("2026-06-10", 11),
        "will",
        desc=(
            "From: Pete Novak\npraise: The onboarding guide saved our two new hires most of a week. #share"
        ),
    )
    b.card(
        "Stakeholder feedback",
        "Design reviews",
        at("2026-11-06", 15),
        "will",
        desc=(
            "From: Pete Novak\nYou explain why you did what you did really well, but in design reviews you come "
            "across as needing to be the smartest person in the room."
        ),
    )
    b.card(
        "Stakeholder feedback",
        "Payments incident write-up",
        at("2026-11-09", 9),
        "diego",
        members=("will", "diego"),
        labels=("Shareable",),
        desc="praise: The payments incident write-up was the clearest one I have read this year.",
    )
    roadmap = b.card("Stakeholder feedback", "Roadmap sessions", at("2026-11-10", 9), "will")
    b.comment(
        roadmap,
        "concern: In the roadmap sessions you answered for the team before they could speak.",
        at("2026-11-10", 14),
        "jessica",
    )
    b.card(
        "Stakeholder feedback",
        "Registry pairing",
        at("2026-11-11", 10),
        "will",
        desc=("From: Amara Okafor\npraise: Pairing on the registry made me faster, and you let me drive."),
    )
    b.card(
        "Stakeholder feedback",
        "Somebody in sales said the pricing demo ran long",
        at("2026-11-12", 10),
        "will",
    )
    promise(
        b,
        "will",
        "Hand over the dedup service runbook",
        "2026-05-10",
        "2026-06-30",
        [("Runbook reviewed by the data team", "2026-06-12"), ("One on-call shift shadowed", "2026-06-26")],
    )
    promise(
        b,
        "will",
        "Run two architecture guild sessions",
        "2026-06-01",
        "2026-07-31",
        [("Session on retry queues held", "2026-07-08"), ("Session on shadow traffic held", None)],
    )
    promise(
        b,
        "will",
        "Publish the on-call runbook",
        "2026-07-01",
        "2026-08-15",
        [("Draft reviewed by two peers", "2026-08-10"), ("Linked from every alert", "2026-08-22")],
    )
    promise(
        b,
        "will",
        "Speak less than a third of the time in design reviews",
        "2026-08-20",
        "2026-09-30",
        [
            ("Jessica counts talk time at three reviews", "2026-09-09"),
            ("Under a third at all three", "2026-09-28"),
        ],
        labels=("Shareable",),
    )
    promise(
        b,
        "will",
        "Pair with each new hire for a day",
        "2026-10-28",
        "2026-12-15",
        [("Pair with Sam", "2026-11-04"), ("Pair with Lucía", None), ("Pair with Kenji", None)],
    )
    return b.export()


GROUP_MEETINGS = ["2026-06-03", "2026-07-01", "2026-08-05", "2026-09-02", "2026-10-07", "2026-11-04"]
# Per meeting, per member: (issue or None, [(commitment, day ticked or None)]).
GROUP_PLAN: dict[str, dict[str, tuple[str | None, list[tuple[str, str | None]]]]] = {
    "2026-06-03": {
        "will": (
            "A senior engineer keeps asking for a raise and I do not know if they need one",
            [
                ("Write down what the ladder says for their level", "2026-06-20"),
                ("Ask them what they think a raise would change", "2026-06-28"),
            ],
        ),
        "jessica": ("Roadmap keeps changing after planning", [("Ask the PM for a change log", "2026-06-15")]),
        "amara": (None, [("Book the accessibility consultant", "2026-06-10")]),
        "diego": ("Hiring loop takes six weeks", [("Map every step of the loop", "2026-06-24")]),
    },
    "2026-07-01": {
        "will": (None, [("Share the leveling chart with the group", "2026-07-22")]),
        "jessica": (None, [("Bring the change log to planning", "2026-07-20")]),
        "amara": ("My team skips retros when busy", [("Run a 20 minute retro every sprint", "2026-08-12")]),
        "diego": (
            "On-call rota is burning the team out",
            [("Count the pages per person for June", "2026-07-10"), ("Propose a second rota", None)],
        ),
    },
    "2026-08-05": {
        "will": (
            "Two teams want the same platform engineer",
            [("Agree priorities with both leads", "2026-08-19")],
        ),
        "jessica": (None, [("Pilot the quarterly planning template", "2026-09-01")]),
        "amara": (None, [("Publish the retro notes", "2026-08-25")]),
        "diego": (
            "Still the on-call rota: the team is burning out",
            [("Propose a second rota", "2026-09-10"), ("Ask for a budget for on-call pay", None)],
        ),
    },
    "2026-09-02": {
        "will": (None, [("Write the platform engineer rotation proposal", "2026-09-25")]),
        "jessica": (
            "Director asks for dates before discovery",
            [("Share a ranges-not-dates proposal", None)],
        ),
        "amara": (None, [("Measure retro attendance", "2026-09-29")]),
        "diego": (
            "On-call rota again: burning out, second rota not agreed",
            [("Take the rota proposal to the director", "2026-09-30")],
        ),
    },
    "2026-10-07": {
        "will": (None, [("Ask Tomasz to run the handover alone", "2026-10-20")]),
        "jessica": (None, [("Share a ranges-not-dates proposal", "2026-10-14")]),
        "amara": (
            "New joiner not getting code reviews",
            [("Set a review buddy for each joiner", "2026-10-21")],
        ),
        "diego": (
            "The on-call rota is still burning the team out",
            [("Start the second rota trial", "2026-11-02")],
        ),
    },
    "2026-11-04": {
        "will": ("How to say no to side requests", [("Answer side requests in writing only", None)]),
        "jessica": (None, [("Write up how the ranges went", None)]),
        "amara": (None, [("Check in with the new joiner after two weeks", None)]),
        "diego": (None, [("Report on the second rota trial", None)]),
    },
}


def group_board() -> dict[str, Any]:
    """A peer learning group of four: a meeting card a month, a checklist per member."""
    b = BoardMaker(
        "Peer learning group: Platform leads",
        "b2d4f6a8c0",
        "2026-05-20",
        ["will", "jessica", "amara", "diego"],
        "Gp4Lx9mT",
    )
    b.lst("Meetings")
    for day in GROUP_MEETINGS:
        cid = b.card(
            "Meetings",
            f"{day} Group meeting",
            at(day, 7),
            "jessica",
            desc="Experience shares, not advice. Each member: your issue, then what you will do by next time.",
        )
        for person, (issue, commitments) in GROUP_PLAN[day].items():
            texts = ([f"Issue: {issue}"] if issue else []) + [c for c, _ in commitments]
            ids = b.checklist(cid, MEMBERS[person][2].split()[0], texts, at(day, 13))
            for item, (_, ticked) in zip(ids[1 if issue else 0 :], commitments, strict=True):
                if ticked:
                    b.tick(cid, item, at(ticked, 17), person)
    return b.export()


def team_board() -> dict[str, Any]:
    """The team's open board (visibility team): promises, goals, a team lunch."""
    b = BoardMaker(
        "Platform team: promises & wins",
        "c3e5a7b9d1",
        "2026-05-02",
        ["will", "jessica", "amara", "diego"],
        "Tm8Wn3pQ",
    )
    b.lst("Promises"), b.lst("Goals"), b.lst("Achieved"), b.lst("Team lunches")
    promise(
        b,
        "amara",
        "Cut search p95 below 400 ms",
        "2026-06-01",
        "2026-07-15",
        [("Query cache in production", "2026-06-20"), ("p95 under 400 ms for a week", "2026-07-10")],
    )
    promise(
        b,
        "amara",
        "Fix every critical accessibility issue on checkout",
        "2026-08-01",
        "2026-09-30",
        [("Audit done", "2026-08-14"), ("All criticals fixed", "2026-10-09")],
    )
    promise(
        b,
        "diego",
        "Canary step in the deploy tooling",
        "2026-06-10",
        "2026-08-01",
        [("Canary merged", "2026-07-20"), ("Three teams use it", "2026-07-30")],
    )
    promise(
        b,
        "diego",
        "Data-retention policy approved",
        "2026-07-01",
        "2026-09-15",
        [("Design doc reviewed", "2026-08-02"), ("Legal sign-off", None)],
    )
    promise(
        b,
        "jessica",
        "On-call handbook published",
        "2026-06-15",
        "2026-08-31",
        [("Escalation chapter", "2026-07-28"), ("Every runbook linked", "2026-08-29")],
    )
    promise(
        b,
        "jessica",
        "Flaky test rate under 1 %",
        "2026-09-01",
        "2026-12-01",
        [("Quarantine job running", "2026-09-20"), ("Rate under 1 % for two weeks", None)],
    )
    g1 = b.card(
        "Goals",
        "Relevance v2 shipped",
        at("2026-05-10", 9),
        "amara",
        due=at("2026-08-31", 17),
        members=("amara",),
    )
    b.move(g1, "Achieved", at("2026-08-21", 15), "amara")
    g2 = b.card(
        "Goals",
        "Deploy canaries for every service",
        at("2026-05-12", 9),
        "diego",
        due=at("2026-10-31", 17),
        members=("diego",),
    )
    b.move(g2, "Achieved", at("2026-10-24", 11), "diego")
    b.card(
        "Goals",
        "Platform onboarding under one week",
        at("2026-09-01", 9),
        "will",
        due=at("2026-12-31", 17),
        members=("will",),
    )
    lunch = b.card("Team lunches", "2026-10-15 Team lunch", at("2026-10-15", 9), "jessica")
    b.checklist(
        lunch,
        "Best moment",
        [
            "Amara: relevance v2 numbers presented to the whole org",
            "Diego: canary step caught a bad deploy before any customer saw it",
        ],
        at("2026-10-15", 13),
    )
    b.checklist(
        lunch,
        "Worst moment",
        [
            "Diego: the retention policy stuck with legal for a month",
            "Amara: missed the accessibility deadline by nine days",
        ],
        at("2026-10-15", 13),
    )
    b.comment(
        lunch,
        "Jessica: the on-call handbook is what new joiners read first now 👍",
        at("2026-10-15", 15),
        "will",
    )
    b.comment(lunch, "The lunch place was closed, we ended up at the canteen", at("2026-10-15", 16), "amara")
    return b.export()


BOARDS = {
    "practices-advocate-will.json": advocate_board,
    "practices-group-platform-leads.json": group_board,
    "practices-team-platform.json": team_board,
}

CONFIG_BLOCK = f"""{BEGIN}
  # The practices around the lunch (README, "Board conventions of the practices").
  - board: "Will – self-review & stakeholders"
    subjects: [will]
    self_reviews: {{lists: [Self-reviews]}}
    stakeholder_feedback: {{lists: [Stakeholder feedback]}}
    promises: {{lists: [Promises]}}
    visibility: private           # the default; an entry is shareable only when marked:
    shareable: {{labels: [Shareable], marker: "#share"}}
  - board: "Peer learning group: Platform leads"
    subjects: [will, jessica, amara, diego]
    lunches: {{lists: [Meetings], every_days: 28}}   # the group meets monthly
    group: {{issues: [Issues], issue_prefix: Issue}}
  - board: "Platform team: promises & wins"
    subjects: [will, jessica, amara, diego]
    lunches: {{lists: [Team lunches]}}
    goals: {{lists: [Goals], done_lists: [Achieved]}}
    promises: {{lists: [Promises]}}
    visibility: team
{END}
"""


def patch_config(text: str) -> str:
    """config.yaml with the practices block (re-)added at the end of `boards:` and each person's advocate."""
    if BEGIN in text:
        text = text[: text.index(BEGIN)] + text[text.index(END) + len(END) + 1 :]
    for person, advocate in ADVOCATES.items():
        text = re.sub(
            rf"^(  {person}: \{{[^}}\n]*?)(, advocate: \w+)?\}}",
            rf"\1, advocate: {advocate}}}",
            text,
            count=1,
            flags=re.MULTILINE,
        )
    return text.rstrip("\n") + "\n" + CONFIG_BLOCK


def main() -> None:
    """Write the boards and patch config.yaml in --out."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    out = ap.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    for name, make in BOARDS.items():
        (out / name).write_text(json.dumps(make(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    config = out / "config.yaml"
    config.write_text(patch_config(config.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main()
