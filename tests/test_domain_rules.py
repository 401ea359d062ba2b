"""The one definition of each status and figure (trellosync.domain.rules), as of a date."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from boardbuilder import Board

from trellosync.config.settings import parse_config
from trellosync.domain import build_domain, rules
from trellosync.domain.model import Commitment, FeedbackEntry, Goal, KeyResult, Lunch
from trellosync.mirror.normalize import normalize_board


def goal(status="open", created=date(2026, 1, 5), due=None, achieved_at=None, dropped_at=None, krs=()):
    return Goal(
        id="g",
        board_id="b",
        owners=["will"],
        title="t",
        description="",
        status=status,
        created=created,
        due=due,
        achieved_at=achieved_at,
        dropped_at=dropped_at,
        url=None,
        key_results=list(krs),
    )


def commitment(deadline, done=False, completed_at=None, made=date(2026, 2, 1)):
    return Commitment(
        id="c",
        board_id="b",
        lunch_id="l",
        person="will",
        text="x",
        made=made,
        deadline=deadline,
        completed_at=completed_at,
        url=None,
        done=done,
    )


def test_goal_status_as_of_a_date():
    g = goal("achieved", due=date(2026, 3, 1), achieved_at=datetime(2026, 3, 10, 9))
    assert rules.goal_status(g, date(2026, 1, 4)) is None  # not set yet
    assert rules.goal_status(g, date(2026, 2, 1)) == "open"
    assert rules.goal_status(g, date(2026, 3, 5)) == "overdue"
    assert rules.goal_status(g, date(2026, 3, 10)) == "achieved"
    undated = goal("achieved", achieved_at=None)
    assert rules.goal_status(undated, date(2026, 1, 6)) == "achieved"  # date unknown: still achieved
    dropped = goal("dropped", dropped_at=datetime(2026, 4, 2))
    assert rules.goal_status(dropped, date(2026, 4, 1)) == "open"
    assert rules.goal_status(dropped, date(2026, 4, 2)) == "dropped"


def test_goal_day_is_read_in_the_timezone():
    g = goal("achieved", achieved_at=datetime(2026, 3, 9, 23, 30))  # 00:30 on the 10th in Berlin
    assert rules.goal_achieved_on(g, ZoneInfo("Europe/Berlin")) == date(2026, 3, 10)
    assert rules.goal_status(g, date(2026, 3, 9), ZoneInfo("Europe/Berlin")) == "open"


def test_goal_counts_of_a_period_count_undated_achievements():
    goals = [
        goal("achieved", achieved_at=datetime(2026, 2, 10)),
        goal("achieved", achieved_at=None, created=date(2026, 2, 1)),
        goal("open", due=date(2026, 2, 15)),
        goal("dropped", dropped_at=datetime(2026, 1, 20)),
        goal("achieved", achieved_at=datetime(2026, 4, 1)),
    ]
    c = rules.goal_counts(goals, date(2026, 2, 1), date(2026, 2, 28))
    assert (c.set, c.achieved, c.achieved_undated, c.open, c.overdue, c.dropped) == (1, 2, 1, 2, 1, 0)
    assert c.median_days_to_achieve == 36.0


def test_key_results_done_as_of():
    g = goal(
        krs=[
            KeyResult("k1", "a", True, datetime(2026, 2, 1), None),
            KeyResult("k2", "b", True, None, None),
            KeyResult("k3", "c", False, None, None),
        ]
    )
    assert rules.key_results_done(g, date(2026, 1, 31)) == (1, 3)  # undated tick counts as done
    assert rules.key_results_done(g, date(2026, 2, 1)) == (2, 3)


def test_commitment_status_and_the_last_sync_cutoff():
    deadline = date(2026, 3, 1)
    assert (
        rules.commitment_status(commitment(deadline, True, datetime(2026, 2, 20)), date(2026, 6, 1)) == "kept"
    )
    assert (
        rules.commitment_status(commitment(deadline, True, datetime(2026, 3, 5)), date(2026, 6, 1)) == "late"
    )
    assert (
        rules.commitment_status(commitment(deadline, True, datetime(2026, 3, 5)), date(2026, 3, 2))
        == "broken"
    )
    assert rules.commitment_status(commitment(deadline), date(2026, 3, 1)) == "open"
    assert rules.commitment_status(commitment(deadline), date(2026, 3, 2)) == "broken"
    assert rules.commitment_status(commitment(deadline, True, None), date(2026, 6, 1)) == "done_undated"
    # synced on 28 Feb: a report run weeks later cannot judge a 1 Mar deadline
    assert (
        rules.commitment_status(commitment(deadline), date(2026, 6, 1), last_sync=datetime(2026, 2, 28))
        == "open"
    )


def test_each_board_is_judged_only_up_to_its_own_last_sync():
    """Board b synced on 28 Feb, board other on 10 Apr: a 1 Mar deadline on b is not judged by the later sync."""
    syncs = {"b": datetime(2026, 2, 28, 12), "other": datetime(2026, 4, 10, 12)}
    c = commitment(date(2026, 3, 1))
    assert rules.commitment_status(c, date(2026, 4, 10), last_sync=syncs) == "open"
    assert rules.commitment_status(c, date(2026, 4, 10), last_sync=datetime(2026, 4, 10)) == "broken"
    g = goal(due=date(2026, 3, 1))
    assert rules.goal_status(g, date(2026, 4, 10), last_sync=syncs) == "open"
    assert rules.goal_status(g, date(2026, 4, 10), last_sync=datetime(2026, 4, 10)) == "overdue"
    lunches = [
        Lunch(
            id=f"l{i}",
            board_id="b",
            board_name="B",
            date=date(2026, 1, 1) + timedelta(days=14 * i),
            title="",
            url=None,
            participants=["will"],
            about=["will"],
            every_days=14,
        )
        for i in range(5)
    ]
    cad = rules.person_cadences(lunches, "will", date(2026, 1, 1), date(2026, 4, 10), last_sync=syncs)
    assert [c.end for c in cad] == [date(2026, 2, 28)]  # expected lunches are not owed past b's own sync


def test_keep_rate_leaves_undated_and_unjudged_out():
    cs = [
        commitment(date(2026, 3, 1), True, datetime(2026, 2, 20)),
        commitment(date(2026, 3, 1), True, datetime(2026, 3, 4)),
        commitment(date(2026, 3, 2)),
        commitment(date(2026, 3, 3), True, None),
        commitment(date(2026, 3, 20)),
        commitment(date(2026, 5, 1)),
    ]
    kr = rules.keep_rate(
        cs, date(2026, 3, 1), date(2026, 3, 31), as_of=date(2026, 4, 30), last_sync=datetime(2026, 3, 10)
    )
    assert (kr.kept, kr.late, kr.broken, kr.open, kr.done_undated) == (1, 1, 1, 1, 1)
    assert kr.rate == 1 / 3
    assert rules.keep_rate([], date(2026, 3, 1), date(2026, 3, 31), as_of=date(2026, 4, 1)).rate is None


def lunch(board, day, about, every=14):
    return Lunch(
        id=f"{board}{day}",
        board_id=board,
        board_name=board,
        date=day,
        title="",
        url=None,
        participants=list(about),
        about=list(about),
        every_days=every,
    )


def test_cadence_is_per_board_and_the_pair_is_the_unit():
    pair = [lunch("p", date(2026, 1, d), ["will", "jessica"]) for d in (1, 15, 29)] + [
        lunch("p", date(2026, 2, 26), ["will", "jessica"])
    ]
    advocate = [lunch("a", date(2026, 1, 10), ["will"], 28), lunch("a", date(2026, 2, 7), ["will"], 28)]
    advocate[0].participants = ["will", "amara"]
    assert rules.partners(pair[0], "will") == ["jessica"] and rules.partners(advocate[0], "will") == ["amara"]
    lunches = pair + advocate
    assert [lu.board_id for lu in rules.lunches_of(lunches, "jessica")] == ["p"] * 4
    cads = {
        c.board_id: c for c in rules.person_cadences(lunches, "will", date(2026, 1, 1), date(2026, 2, 28))
    }
    p, a = cads["p"], cads["a"]
    assert (p.count, p.expected, p.mean_interval_days, p.longest_interval_days) == (4, 4, 18.7, 28)
    assert [(g.start, g.days) for g in p.gaps] == [(date(2026, 1, 29), 28)]
    assert (a.count, a.expected, a.every_days, a.gaps) == (2, 2, 28, [])
    # a pair that began on 10 Jan owes nothing for the weeks before: expected counts from its first lunch
    late = rules.cadence(advocate, "a", date(2025, 7, 1), date(2026, 2, 28), 28)
    assert (late.start, late.count, late.expected) == (date(2026, 1, 10), 2, 2)


def entry(kind, about, day, text="x", board="b", said_by=None, polarity="neutral", competency=None):
    return FeedbackEntry(
        id=f"{kind}{day}{text}",
        board_id=board,
        kind=kind,
        about=about,
        said_by=said_by,
        date=day,
        text=text,
        lunch_id=None,
        card_url=None,
        source="checklist",
        said_by_source="trello" if said_by else "unknown",
        polarity=polarity,
        competency=competency,
    )


def test_open_focus_points_and_voices():
    fb = [
        entry("focus", "will", date(2026, 1, 1), "listen"),
        entry("focus", "will", date(2026, 2, 1), "say no"),
        entry("focus", "will", date(2026, 2, 1), "delegate"),
        entry("focus", "will", date(2026, 1, 5), "x", "other"),
        entry("focus", "jessica", date(2026, 3, 1), "docs"),
    ]
    assert sorted(f.text for f in rules.open_focus_points(fb, "will", date(2026, 1, 20))) == ["listen", "x"]
    assert sorted(f.text for f in rules.open_focus_points(fb, "will", date(2026, 3, 1))) == [
        "delegate",
        "say no",
        "x",
    ]
    assert rules.voice(entry("best", "will", date(2026, 1, 1), said_by="jessica")) == "peer"
    assert rules.voice(entry("best", "will", date(2026, 1, 1), said_by="will")) == "self"
    assert rules.voice(entry("best", "will", date(2026, 1, 1))) == "conversation"


def test_entries_by_competency_count_each_entry_once():
    fb = [
        entry("best", "will", date(2026, 1, 1), "a", polarity="strength", competency="influence"),
        entry("observation", "will", date(2026, 1, 2), "b", polarity="concern", competency="influence"),
        entry("best", "will", date(2026, 1, 3), "c", polarity="strength"),
    ]
    got = rules.entries_by_competency(fb, "will", date(2026, 1, 1), date(2026, 1, 31))
    assert {k: len(v) for k, v in got.items()} == {"influence": 2, None: 1}
    got = rules.entries_by_competency(fb, "will", date(2026, 1, 1), date(2026, 1, 31), positive_only=True)
    assert {k: len(v) for k, v in got.items()} == {"influence": 1, None: 1}


def test_goal_created_straight_in_a_done_list_is_achieved_on_its_creation_day():
    config = parse_config(
        "people: {will: {name: Will Smith, trello: willsmith}}\n"
        "boards: [{board: 'Peer lunch: Will & Jessica', subjects: [will]}]\n"
    )
    b = Board()
    c = b.card("Achieved", "Ship v2", members=("willsmith",), created="2026-03-03")
    b.action(
        "createCard",
        "2026-03-03T09:00",
        {"card": {"id": c, "name": "Ship v2"}, "list": {"id": b.list("Achieved"), "name": "Achieved"}},
    )
    b.card("Achieved", "Old win", members=("willsmith",), created="2026-01-03")  # no history left
    d = build_domain(normalize_board(b.data), config.mapping_for(b.data), config.people)
    got = {g.title: (g.status, g.achieved_at and g.achieved_at.date()) for g in d.goals}
    assert got == {"Ship v2": ("achieved", date(2026, 3, 3)), "Old win": ("achieved", None)}
    assert any("date unknown" in gap for gap in d.history_gaps)


def test_goal_status_replays_moves_out_of_done_and_unarchiving():
    config = parse_config(
        "people: {will: {name: Will Smith, trello: willsmith}}\n"
        "boards: [{board: 'Peer lunch: Will & Jessica', subjects: [will]}]\n"
    )
    b = Board()
    g = b.card("Goals", "Ship v2", members=("willsmith",), created="2026-03-01")
    goals, done = b.list("Goals"), b.list("Achieved")
    b.action("createCard", "2026-03-01T09:00", {"card": {"id": g}, "list": {"id": goals}})

    def move(when, a, z):
        b.action(
            "updateCard",
            when,
            {"card": {"id": g}, "listBefore": {"id": a}, "listAfter": {"id": z}, "old": {"idList": a}},
        )

    def closed(when, value):
        b.action("updateCard", when, {"card": {"id": g, "closed": value}, "old": {"closed": not value}})

    move("2026-03-15T10:00", goals, done)  # achieved...
    move("2026-04-01T10:00", done, goals)  # ...reopened: the reviewer said it was not done
    closed("2026-05-01T10:00", True)  # dropped
    closed("2026-06-01T10:00", False)  # picked up again
    move("2026-07-01T10:00", goals, done)  # achieved for good
    for card in b.data["cards"]:
        card["idList"] = done
    d = build_domain(normalize_board(b.data), config.mapping_for(b.data), config.people)
    (goal,) = d.goals
    seen = {
        day: rules.goal_status(goal, date(2026, m, day_))
        for day, (m, day_) in {
            "mar10": (3, 10),
            "mar20": (3, 20),
            "apr10": (4, 10),
            "may10": (5, 10),
            "jun10": (6, 10),
            "jul10": (7, 10),
        }.items()
    }
    assert seen == {
        "mar10": "open",
        "mar20": "achieved",
        "apr10": "open",
        "may10": "dropped",
        "jun10": "open",
        "jul10": "achieved",
    }
    assert rules.goal_achieved_on(goal) == date(2026, 7, 1)
