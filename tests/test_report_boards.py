"""A report reads only the boards about its people: the same JSON whether the whole domain or only those boards
are loaded (so a report's cost does not grow with the organisation)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import example_workspace

from trellosync.cli.report import report_people
from trellosync.errors import ConfigError
from trellosync.report.documents import build_context, context_as_json, options_from_config
from trellosync.report.kinds import get_kind, kind_names

PEOPLE = ("will", "jessica", "amara", "diego")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory, example_database: Path):
    config, store = example_workspace(example_database, tmp_path_factory.mktemp("boards") / "demo.db")
    yield config, store
    store.close()


def _json(kind: str, person: str, store, options, people: tuple[str, ...]) -> tuple[str, int]:
    """The report's JSON (or its error) with only the boards about `people` loaded, and how many boards that is."""
    ids = store.board_ids_about(people)
    return _as_json(kind, person, store.load_domain(ids), options), len(ids)


def _as_json(kind: str, person: str, domain, options) -> str:
    try:
        return context_as_json(build_context(kind, person, domain, options=options))
    except ConfigError as exc:
        return f"error: {exc}"


def test_every_report_is_the_same_from_its_boards_only(example) -> None:
    config, store = example
    everything = store.load_domain()
    nobody = store.load_domain(board_ids=[])
    options = options_from_config(config, report_date=everything.synced_at.date())
    fewer = 0
    for kind in kind_names():
        if get_kind(kind).team:
            continue
        for person in PEOPLE:
            peers = [None] + [p for p in PEOPLE if p != person] if kind == "brief" else [None]
            for peer in peers:
                opts = replace(options, peer=peer)
                people = tuple(report_people(kind, (person,), peer, nobody))
                scoped, n = _json(kind, person, store, opts, people)
                assert scoped == _as_json(kind, person, everything, opts), (kind, person, peer)
                fewer += n < len(everything.boards)
    assert fewer, "some report must read fewer boards than the database holds, or this proves nothing"


@pytest.mark.parametrize("team", [("will",), ("jessica", "diego"), PEOPLE])
def test_showcase_is_the_same_from_its_teams_boards_only(example, team: tuple[str, ...]) -> None:
    config, store = example
    everything = store.load_domain()
    options = replace(options_from_config(config, report_date=everything.synced_at.date()), people=team)
    ids = store.board_ids_about(report_people("showcase", team, None, store.load_domain(board_ids=[])))
    scoped = json.loads(_as_json("showcase", team[0], store.load_domain(ids), options))
    whole = json.loads(_as_json("showcase", team[0], everything, options))
    # The cover names the boards the showcase reads: the team's, no longer every board of the organisation.
    theirs = {everything.boards[b] for b in ids}
    for names in ("team_boards", "marked_boards"):
        assert scoped.pop(names) == [b for b in whole.pop(names) if b in theirs]
    assert scoped == whole
    if team == PEOPLE:
        assert len(ids) == len(everything.boards)


def test_boards_about_nobody_and_a_stranger_are_none(example) -> None:
    _, store = example
    assert store.board_ids_about([]) == []
    assert store.board_ids_about(["somebody-else"]) == []
    # A key that is a prefix of another's never matches the other's lists ('"will"' in '["willow"]').
    assert store.board_ids_about(["wil"]) == []


def test_a_brief_reads_its_peer_and_an_advocate_report_its_advocate(example) -> None:
    _, store = example
    nobody = store.load_domain(board_ids=[])
    advocate = nobody.practices.advocates["will"]
    assert report_people("advocate", ("will",), None, nobody) == ["will", advocate]
    assert report_people("brief", ("jessica",), "will", nobody)[:2] == ["jessica", "will"]
    assert report_people("showcase", ("will", "diego"), None, nobody) == ["will", "diego"]


def test_the_report_command_loads_only_its_peoples_boards(
    example,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fonts_not_subset: None,
) -> None:
    from clihelp import run_cli

    from trellosync.store import queries

    config, store = example
    loaded: list[list[str] | None] = []
    real = queries.load_domain

    def spy(engine, board_ids=None):
        loaded.append(None if board_ids is None else list(board_ids))
        return real(engine, board_ids)

    monkeypatch.setattr(queries, "load_domain", spy)
    code, out, err = run_cli(
        capsys, "report", "dossier", "jessica", "--database", store.url, "--format", "json"
    )
    assert code == 0, err
    everything = real(store.engine)
    assert loaded[-1] is not None and set(loaded[-1]) < set(everything.boards)
    assert '"kind": "dossier"' in out
    loaded.clear()
    code, _, err = run_cli(
        capsys,
        "report",
        "brief",
        "--all",
        "--database",
        store.url,
        "--format",
        "html",
        "-o",
        str(tmp_path / "all"),
        "--jobs",
        "1",
    )
    assert code == 0, err
    assert loaded[-1] is None  # --all: every board, loaded once
