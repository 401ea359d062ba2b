"""Onboarding finds the boards' real shape (issue 21): only lunch boards are proposed, with the cadence, group and
logistics their cards show; `check --online` says when a mapping finds no lunch or a goal list holds tasks; a
person added to the config is known before a rebuild."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from boardbuilder import Board, iso
from clihelp import run_cli
from conftest import EXPORTS

from trellosync.cli.demo import example_dir
from trellosync.config.settings import BoardMapping, FeedbackMapping
from trellosync.sync.diagnostics import BoardOutline, diagnose, quick_goal_warnings
from trellosync.sync.onboard import propose_mapping
from trellosync.sync.shape import LOGISTICS, cadence_days
from trellosync.testing.fake_trello import FakeTrello

KEY, TOKEN = "a7" * 16, "b8" * 32
GROUP = ("willsmith", "Will Smith"), ("jessjones", "Jessica Jones"), ("amaraokafor", "Amara Okafor")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRELLOSYNC_CONFIG", raising=False)
    monkeypatch.setenv("TRELLO_API_KEY", KEY)
    monkeypatch.setenv("TRELLO_TOKEN", TOKEN)


@pytest.fixture
def fake() -> Iterator[FakeTrello]:
    """The example boards and a real sprint board export (lists Backlog ... Done)."""
    with FakeTrello(
        sorted(example_dir().glob("*.json")) + [EXPORTS / "notes-board.json"], key=KEY, token=TOKEN
    ) as f:
        yield f


def _days(start: str, step: int, n: int) -> list[str]:
    d = date.fromisoformat(start)
    return [(d + timedelta(days=step * i)).isoformat() for i in range(n)]


def test_cadence_is_the_median_interval_rounded_to_a_usual_one() -> None:
    def dates(*gaps: int) -> list[date]:
        out = [date(2026, 1, 5)]
        for g in gaps:
            out.append(out[-1] + timedelta(days=g))
        return out

    assert cadence_days(dates(14, 14, 15, 13)) == 14
    assert cadence_days(dates(28, 35, 28, 28)) == 28  # "the first Wednesday of the month"
    assert cadence_days(dates(31, 30, 31, 30)) == 30
    assert cadence_days(dates(7, 6, 8, 7)) == 7
    assert cadence_days(dates(10, 10, 11)) == 10  # near no usual cadence: whole days
    assert cadence_days(dates(14)) is None  # two lunches show no cadence
    assert cadence_days(dates(0, 0, 14, 14)) == 14  # two cards of one day are one date


def test_every_days_from_due_dates_else_names_else_creation() -> None:
    monthly = Board("Will – check-ins")
    for day in _days("2026-01-07", 28, 6):
        monthly.card("Check-ins", "Check-in", created="2025-12-01", due=day)  # created together, due monthly
    assert propose_mapping(monthly.data)["lunches"] == {"lists": ["Check-ins"], "every_days": 28}

    named = Board()
    for day in _days("2026-01-05", 14, 5):
        named.card("Lunches", f"{day} Lunch", created="2025-12-01")
    assert propose_mapping(named.data)["lunches"]["every_days"] == 14

    created = Board()
    for day in _days("2026-01-05", 7, 5):
        created.card("1:1s", "Weekly", created=day)
    assert propose_mapping(created.data)["lunches"] == {"lists": ["1:1s"], "every_days": 7}

    few = Board()
    few.card("Sessions", "First", due="2026-01-05")
    few.card("Sessions", "Second", due="2026-01-19")
    assert propose_mapping(few.data)["lunches"] == {"lists": ["Sessions"]}  # two dates: nothing observed


def _group_board(names: tuple[str, ...]) -> Board:
    b = Board("Peer learning group", members=GROUP)
    for day in _days("2026-02-04", 28, 3):
        card = b.card("Meetings", f"{day} Group meeting", created=day)
        for who in names:
            b.checklist(card, who, [f"Issue: something {who} raised", "Ask around"])
    return b


def test_group_section_from_checklists_named_after_members() -> None:
    m = propose_mapping(_group_board(("Will", "Jessica", "Amara")).data)
    assert m["group"] == {"issue_prefix": "Issue"} and m["lunches"]["every_days"] == 28
    assert "group" not in propose_mapping(_group_board(("Will", "Jessica")).data)  # two people: no group
    assert "group" not in propose_mapping(_group_board(("Best moment", "Focus", "Commitments")).data)


def test_ignore_comments_for_logistics_seen_on_lunch_cards() -> None:
    b = Board()
    lunch = b.card("Lunches", "2026-03-04 Lunch")
    goal = b.card("Goals", "Lead the migration")
    logistics = [
        "Moved to 13:00, sorry",
        "Running late, 5 min",
        "Can we push to Thursday?",
        "Room 4.12 today",
    ]
    observations = [
        "praise: great talk at the all-hands",
        "Sorry to say it, but the review was harsh and it "
        "cost Tomasz a week: let's talk about how to say no kindly",
        "concern: you pushed back on scope at 16:00 standup without a word of why, twice, in front "
        "of the whole team",
    ]
    for text in logistics + observations:
        b.comment(lunch, text, "2026-03-04")
    b.comment(goal, "Moved to Q3", "2026-03-04")
    patterns = propose_mapping(b.data)["feedback"]["ignore_comments"]
    assert (
        FeedbackMapping(ignore_comments=patterns).ignore_comments == patterns
    )  # valid, as the config reads them

    def ignored(text: str) -> bool:
        return any(re.search(p, text, re.IGNORECASE) for p in patterns)

    assert all(ignored(t) for t in logistics)
    assert not any(ignored(t) for t in observations)
    plain = Board()
    plain.comment(plain.card("Lunches", "Lunch"), "praise: clear design doc", "2026-03-04")
    plain.comment(plain.card("Goals", "Goal"), "Moved to 13:00", "2026-03-04")  # not a lunch card
    assert "feedback" not in propose_mapping(plain.data)
    assert len(LOGISTICS) == len(set(LOGISTICS))


def test_init_proposes_lunch_boards_with_what_they_show(
    fake: FakeTrello, env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        capsys,
        "init",
        "-o",
        "trellosync.yaml",
        "--api-url",
        fake.url,
        "--database",
        f"sqlite:///{tmp_path / 'shape.db'}",
    )
    assert code == 0, err
    text = (tmp_path / "trellosync.yaml").read_text()
    doc = yaml.safe_load(text)
    by_name = {
        next(b["name"] for b in fake.boards.values() if b["url"] == m["board"]): m for m in doc["boards"]
    }
    # The sprint board (a `Done` list, no lunch list) is named, not mapped; so is the self-review board.
    assert "Weekly Sprint" not in by_name and "'Weekly Sprint'" in text.split("\ntrello:")[0]
    assert set(by_name) == {
        "Peer lunch: Will & Jessica",
        "Peer lunch: Amara & Diego",
        "Will – advocate check-ins",
        "Peer learning group: Platform leads",
        "Platform team: promises & wins",
    }
    assert by_name["Will – advocate check-ins"]["lunches"]["every_days"] == 28  # monthly check-ins
    assert by_name["Peer lunch: Will & Jessica"]["lunches"]["every_days"] == 14
    assert by_name["Peer learning group: Platform leads"]["group"] == {"issue_prefix": "Issue"}
    assert len(by_name["Peer learning group: Platform leads"]["subjects"]) == 4
    assert (
        "group" not in by_name["Platform team: promises & wins"]
    )  # its checklists are not named after people
    assert by_name["Peer lunch: Will & Jessica"]["feedback"]["ignore_comments"]
    assert {p["trello"]: p["name"] for p in doc["people"].values()} == {
        "willsmith": "Will Smith",
        "jessjones": "Jessica Jones",
        "amaraokafor": "Amara Okafor",
        "diegoramirez": "Diego Ramírez",
    }
    # The proposal is a config the tool takes: checked online, synced, and the logistics comment is no evidence.
    code, out, err = run_cli(capsys, "check", "--online")
    assert code == 0, err
    assert "mapping problem" not in out, out
    code, out, err = run_cli(capsys, "sync")
    assert code == 0, err
    from trellosync.store.db import Store

    store = Store(doc["database"])
    try:
        domain = store.load_domain()
    finally:
        store.close()
    texts = [f.text for f in domain.feedback]
    assert any("PR template" in t for t in texts)  # observations are read
    assert not any("Moved to 13:00" in t for t in texts)


def test_init_with_only_a_sprint_board_proposes_nothing(
    env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeTrello(
        [EXPORTS / "notes-board.json", EXPORTS / "csv-export-board.json"], key=KEY, token=TOKEN
    ) as f:
        code, out, err = run_cli(capsys, "init", "-o", "c.yaml", "--api-url", f.url)
    assert code == 2 and out == "" and not (tmp_path / "c.yaml").exists()
    assert "none of the 2 open board(s) this token sees has a lunch-like list" in err
    assert "'Weekly Sprint'" in err and "'VolunteerBridge'" in err


def test_a_lunch_list_without_cards_is_a_problem_and_same_day_goals_a_warning() -> None:
    b = Board("Sprint", members=GROUP[:1])
    for i in range(5):
        b.card("Done", f"Task {i}", created=f"2026-03-0{i + 1}")
        b.data["cards"][-1]["dateLastActivity"] = iso(f"2026-03-0{i + 1}T17:00")
    b.list("Lunches")  # an empty lunch list: the mapping finds no lunch
    mapping, outline = (
        BoardMapping(board="Sprint", lunches={"lists": ["Lunches"]}),
        BoardOutline.from_trello(b.data),
    )
    problems = diagnose(mapping, outline)
    assert [(p.key, p.name) for p in problems] == [("lunches.lists", "Lunches")]
    assert "finds no lunch" in str(problems[0])
    assert quick_goal_warnings(mapping, outline) == [
        "board 'Sprint': goals.done_lists: 5 goals on 'Done' were all completed within a day of being created: "
        "is this a task board?"
    ]
    # A goal worked on for weeks is no task: no warning. A board read without its cards: no guess either way.
    outline.cards[0]["dateLastActivity"] = iso("2026-04-20")
    assert quick_goal_warnings(mapping, outline) == []
    too_large = BoardOutline.from_trello({k: v for k, v in b.data.items() if k != "cards"})
    assert not too_large.cards_read and diagnose(mapping, too_large) == []
    assert quick_goal_warnings(mapping, too_large) == []
    b.card("Lunches", "2026-03-04 Lunch")
    assert diagnose(mapping, BoardOutline.from_trello(b.data)) == []


def test_check_online_on_a_mapped_sprint_board(
    env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeTrello([EXPORTS / "notes-board.json"], key=KEY, token=TOKEN) as f:
        (tmp_path / "c.yaml").write_text(f"trello:\n  api_url: {f.url}\nboards:\n  - board: Weekly Sprint\n")
        code, out, err = run_cli(capsys, "check", "-c", "c.yaml", "--online")
    assert code == 0, err
    assert "1 mapping problem(s)" in out and "(the default) matches no list" in out
    assert (
        "warning: board 'Weekly Sprint': goals.done_lists: 5 goals on 'Done' were all completed within a day"
        in out
    )


def test_a_person_added_to_the_config_is_known_without_rebuild(
    env: None, tmp_path: Path, capsys: pytest.CaptureFixture[str], fonts_not_subset: None
) -> None:
    with FakeTrello([example_dir() / "peer-lunch-will-jessica.json"], key=KEY, token=TOKEN) as f:
        code, out, err = run_cli(
            capsys, "init", "-o", "c.yaml", "--api-url", f.url, "--database", f"sqlite:///{tmp_path / 'p.db'}"
        )
        assert code == 0, err
        code, out, err = run_cli(capsys, "sync", "-c", "c.yaml")
        assert code == 0, err
    code, out, err = run_cli(capsys, "report", "goals", "zoe", "-c", "c.yaml", "--format", "json")
    assert code == 2 and "unknown person 'zoe'" in err
    doc = yaml.safe_load((tmp_path / "c.yaml").read_text())
    doc["people"]["zoe"] = {"name": "Zoe Park", "trello": "zoepark"}
    (tmp_path / "c.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True))
    for typed in ("zoe", "Zoe Park", "zoepark"):
        code, out, err = run_cli(capsys, "report", "goals", typed, "-c", "c.yaml", "-o", f"{typed}.html")
        assert code == 0, err
        assert "unknown person" not in err
        page = (tmp_path / f"{typed}.html").read_text()
        assert "Zoe Park" in page and "Nothing to report" in page
