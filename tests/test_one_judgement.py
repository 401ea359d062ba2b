"""One judgement per report: every item has the same status and competency wherever it appears.

The workspace has two boards synced on different days, a goal achieved on a date the history no longer holds,
a goal with two competency labels, a commitment renewed at a later lunch, and promises on the board that synced
early. Every report kind of one person and period is built as JSON, and each goal, commitment and promise found
anywhere in them is compared with the one `Judgement` and with its other appearances.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from report_fixtures import DomainBuilder, utc

from trellosync.domain.judge import Judgement
from trellosync.domain.practices import Criterion, Practices, Promise
from trellosync.report.documents import ReportOptions, build_context, context_as_json

REPORT_DATE = date(2026, 6, 30)
PAIR_SYNC = datetime(2026, 6, 30, 22, 0, tzinfo=timezone.utc)
EARLY_SYNC = datetime(
    2026, 6, 12, 9, 0, tzinfo=timezone.utc
)  # the mentoring board knows nothing after 12 Jun
KINDS = ("goals", "dossier", "brief", "advocate", "showcase")


def workspace() -> DomainBuilder:
    """Ada's pair board with Grace (synced 30 Jun) and her mentoring board with Bob (synced 12 Jun)."""
    b = DomainBuilder()
    b.person("ada", "Ada Lovelace").person("grace", "Grace Hopper").person("bob", "Bob Kahn")
    b.competency("influence", "Influence").competency("delivery", "Delivery")
    lunches = [
        b.lunch(date(2026, 3, 2) + (date(2026, 3, 16) - date(2026, 3, 2)) * i, ["ada", "grace"])
        for i in range(8)
    ]
    for lu in lunches:
        b.entry(lu, "best", "ada", "grace", "Shipped the billing migration on time", labels=["delivery"])
        b.entry(lu, "focus", "ada", "grace", "Delegate the release checklist")
    # Renewed: missed by 30 Mar, made again on 13 Apr and kept.
    b.commitment(lunches[1], "ada", "Write the on-call runbook", date(2026, 3, 30))
    b.commitment(lunches[3], "ada", "Write the on-call runbook", date(2026, 4, 27), utc(2026, 4, 20))
    b.commitment(lunches[5], "ada", "Review Grace's design doc", date(2026, 5, 25), utc(2026, 5, 28))
    b.goal(
        "ada",
        "Lead the billing RFC to approval",
        date(2026, 1, 10),
        due=date(2026, 4, 1),
        status="achieved",
        achieved_at=None,
        labels=["influence"],
    )  # achieved on a date the history no longer holds
    b.goal(
        "ada",
        "Ship the search relevance experiment",
        date(2026, 3, 5),
        due=date(2026, 5, 1),
        status="achieved",
        achieved_at=utc(2026, 4, 28),
        labels=["influence", "delivery"],
        key_results=[("Offline eval", utc(2026, 4, 1)), ("A/B test", utc(2026, 4, 27))],
    )
    b.goal("ada", "Cut build time below ten minutes", date(2026, 4, 1), due=date(2026, 6, 20))
    b.domain.board_synced[b.board_id] = PAIR_SYNC

    b.board_id, b.board_name = "b0000002", "Mentoring: Ada & Bob"
    b.domain.boards[b.board_id] = b.board_name
    early = [
        b.lunch(date(2026, 5, 4), ["ada", "bob"]),
        b.lunch(date(2026, 5, 18), ["ada", "bob"]),
        b.lunch(date(2026, 6, 1), ["ada", "bob"]),
    ]
    for lu in early:
        b.entry(lu, "best", "ada", "bob", "Explained the incident timeline clearly", labels=["influence"])
    b.commitment(early[0], "ada", "Pair with Bob on the deploy script", date(2026, 5, 18), utc(2026, 5, 15))
    b.commitment(
        early[2], "ada", "Send Bob the reading list", date(2026, 6, 20)
    )  # due after its board's sync
    b.goal("ada", "Mentor Bob to his first on-call shift", date(2026, 5, 4), due=date(2026, 6, 25))
    b.domain.board_synced[b.board_id] = EARLY_SYNC
    b.domain.synced_at = PAIR_SYNC
    b.domain.practices = Practices(
        promises=[
            Promise(
                id="p-late",
                board_id=b.board_id,
                person="ada",
                title="Publish the mentoring notes",
                made=date(2026, 5, 4),
                due=date(2026, 6, 22),
                criteria=[
                    Criterion("k1", "Draft", True, utc(2026, 5, 20)),
                    Criterion("k2", "Publish", False, None),
                ],
            ),
            Promise(
                id="p-kept",
                board_id=b.board_id,
                person="ada",
                title="Run the onboarding session",
                made=date(2026, 5, 4),
                due=date(2026, 5, 30),
                criteria=[Criterion("k3", "Run it", True, utc(2026, 5, 28))],
            ),
        ],
        visibility={"b0000001": "team", "b0000002": "team"},
        advocates={"ada": "bob"},
    )
    return b


def contexts(domain: Any) -> dict[str, Any]:
    """Every kind's JSON for Ada over the first half of 2026."""
    out = {}
    for kind in KINDS:
        opts = ReportOptions(report_date=REPORT_DATE, people=("ada",) if kind == "showcase" else ())
        ctx = build_context(
            kind, "ada", domain, period_from=date(2026, 1, 1), period_to=REPORT_DATE, options=opts
        )
        out[kind] = json.loads(context_as_json(ctx))
    return out


def appearances(tree: Any, where: str, found: dict[str, list[tuple[str, dict[str, Any]]]]) -> None:
    """Every dict with an id (a goal, commitment, promise or piece of evidence), wherever it is in the JSON."""
    if isinstance(tree, dict):
        if isinstance(tree.get("id"), str):
            found[tree["id"]].append((where, tree))
        for k, v in tree.items():
            appearances(v, f"{where}/{k}", found)
    elif isinstance(tree, list):
        for v in tree:
            appearances(v, where, found)


@pytest.fixture(scope="module")
def judged_workspace() -> tuple[Any, Judgement, dict[str, Any]]:
    domain = workspace().domain
    return domain, Judgement(domain, ZoneInfo("UTC"), REPORT_DATE), contexts(domain)


def test_every_status_is_the_judgements_in_every_kind(judged_workspace) -> None:
    domain, judged, ctxs = judged_workspace
    found: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for kind, tree in ctxs.items():
        appearances(tree, kind, found)
    expected: dict[str, str] = {c.id: judged.commitment_status(c) for c in domain.commitments}
    expected |= {g.id: judged.goal_status(g) or "open" for g in domain.goals}
    expected |= {p.id: judged.promise(p).status for p in domain.practices.promises}
    checked = 0
    for item_id, seen in found.items():
        for where, item in seen:
            if "status" in item and item_id in expected:
                assert item["status"] == expected[item_id], (
                    where,
                    item_id,
                    item["status"],
                    expected[item_id],
                )
                checked += 1
    assert checked >= 12, "the kinds show the workspace's goals, commitments and promises"
    # The commitment due after its board's sync is open (not judged) in every kind that lists it.
    reading_list = next(c for c in domain.commitments if c.text == "Send Bob the reading list")
    assert expected[reading_list.id] == "open"
    assert {w.split("/")[0] for w, _ in found[reading_list.id]} >= {"goals", "advocate"}
    # So is the promise due 22 Jun on that board, although the pair board synced on 30 Jun.
    assert expected["p-late"] == "open" and expected["p-kept"] == "kept"
    assert {w.split("/")[0] for w, _ in found["p-late"]} >= {"goals", "advocate"}


def test_the_reliability_chart_ends_where_the_commitment_table_does(judged_workspace) -> None:
    domain, judged, ctxs = judged_workspace
    chart = next(c for c in ctxs["goals"]["charts"] if c["kind"] == "reliability")
    keep = dict(chart["series"])["keep_rate"]
    window = [c for c in domain.commitments if c.deadline and date(2026, 4, 1) < c.deadline <= REPORT_DATE]
    statuses = [judged.commitment_status(c) for c in window]
    statuses += [
        judged.promise(p).status for p in domain.practices.promises if date(2026, 4, 1) < p.due <= REPORT_DATE
    ]
    judged_now = [s for s in statuses if s in ("kept", "late", "broken")]
    assert keep[-1] == round(100 * statuses.count("kept") / len(judged_now), 1)
    assert "broken" not in [
        judged.commitment_status(c) for c in domain.commitments if c.text.startswith("Send Bob")
    ]


def test_an_undated_achievement_is_counted_alike_in_the_summary_and_the_chart(judged_workspace) -> None:
    _, _, ctxs = judged_workspace
    figures = ctxs["goals"]["figures"]
    chart = next(c for c in ctxs["goals"]["charts"] if c["kind"] == "goal_progress")
    assert figures["goals_achieved"] == 2 and figures["goals_achieved_undated"] == 1
    assert dict(chart["series"])["achieved"][-1] == figures["goals_achieved"]
    assert ctxs["dossier"]["figures"]["goals_achieved"] == figures["goals_achieved"]


def test_a_multi_label_goal_has_the_same_competencies_in_every_kind(judged_workspace) -> None:
    domain, judged, ctxs = judged_workspace
    goal = next(g for g in domain.goals if g.title.startswith("Ship the search"))
    names = [domain.competencies[k].name for k in judged.goal(goal).competencies]
    assert names == ["Influence", "Delivery"]
    found: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for kind, tree in ctxs.items():
        appearances(tree, kind, found)
    shown = [(w, i) for w, i in found[goal.id]]
    assert any(w.startswith("goals") and i.get("competencies") == names for w, i in shown)
    filed = [i for w, i in shown if w.startswith("dossier") and i.get("kind") == "goal"]
    assert filed and all(i["competency"] in names for i in filed)
    assert all(i.get("competencies", names) == names for _, i in shown)


def test_two_kinds_of_one_person_and_period_agree_on_each_item(judged_workspace) -> None:
    _, _, ctxs = judged_workspace
    by_kind: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for kind, tree in ctxs.items():
        found: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
        appearances(tree, kind, found)
        for item_id, seen in found.items():
            for _, item in seen:
                if "status" in item:
                    by_kind[item_id][kind].add(item["status"])
    assert by_kind, "statuses were found"
    for item_id, kinds in by_kind.items():
        values = set().union(*kinds.values())
        assert len(values) == 1, (item_id, dict(kinds))


def test_a_goal_stands_against_its_target_as_of_the_stated_date(judged_workspace) -> None:
    domain, judged, ctxs = judged_workspace
    goals = {g["title"]: g for g in ctxs["goals"]["goals"]}
    assert ctxs["goals"]["cover"]["as_of"] == "2026-06-30"
    assert (
        goals["Cut build time below ten minutes"]["slip"],
        goals["Cut build time below ten minutes"]["slip_days"],
    ) == ("overdue", 10)  # due 20 Jun, its board synced 30 Jun
    # Due 25 Jun on the board last synced 12 Jun: neither overdue nor "due in -5 days".
    mentor = goals["Mentor Bob to his first on-call shift"]
    assert (mentor["status"], mentor["slip"], mentor["slip_days"]) == ("open", "unjudged", None)
