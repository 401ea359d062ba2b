"""Changing the mapping rebuilds the domain from the stored mirror, with no download."""

from __future__ import annotations

import socket

import pytest
from boardbuilder import Board
from clihelp import run_cli

from trellosync.config.settings import parse_config
from trellosync.sync.pipeline import ingest_board, rebuild_domain


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)


def board() -> Board:
    b = Board()
    c = b.card("Lunch log", "2026-02-10 tacos")
    b.checklist(c, "Highs", [{"name": "great demo", "member": "willsmith"}])
    b.checklist(c, "Best moment", [{"name": "the default name", "member": "willsmith"}])
    return b


PEOPLE = """
people:
  will: {name: Will Smith, trello: willsmith}
  jessica: {name: Jessica Jones, trello: jessjones}
"""


def test_mapping_change_rebuilds_from_mirror(store, no_network):
    default = parse_config(PEOPLE + "boards:\n  - board: 'Peer lunch: Will & Jessica'\n")
    ingest_board(store, board().data, default)
    assert store.counts()["meetings"] == 0  # "Lunch log" is not the default lunches list
    custom = parse_config(
        PEOPLE
        + """boards:
  - board: 'Peer lunch: Will & Jessica'
    lunches: {lists: [Lunch log]}
    feedback: {best: [Highs]}
"""
    )
    before_mirror = {k: v for k, v in store.table_dump().items() if k in ("cards", "actions", "check_items")}
    assert rebuild_domain(store, custom, only_changed=True) == ["Peer lunch: Will & Jessica"]
    d = store.load_domain()
    assert [lu.title for lu in d.lunches] == ["2026-02-10 tacos"]
    assert [e.text for e in d.feedback] == ["great demo"]
    assert {k: v for k, v in store.table_dump().items() if k in before_mirror} == before_mirror
    # nothing changed since: nothing to rebuild
    assert rebuild_domain(store, custom, only_changed=True) == []


def test_rebuild_command(capsys, tmp_path, no_network):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        PEOPLE + "database: sqlite:///t.db\nboards:\n  - board: 'Peer lunch: Will & Jessica'\n"
        "    lunches: {lists: [Lunch log]}\n"
    )
    from trellosync.store.db import Store

    s = Store(f"sqlite:///{tmp_path / 't.db'}")
    ingest_board(s, board().data, None)
    assert s.counts()["meetings"] == 0
    code, _, err = run_cli(capsys, "rebuild", "-c", str(cfg))
    assert code == 0, err
    assert s.counts()["meetings"] == 1


def test_api_sync_rebuilds_unchanged_boards_when_the_mapping_changes(tmp_path, capsys, monkeypatch):
    from trellosync.testing.fake_trello import FakeTrello

    monkeypatch.chdir(tmp_path)
    b = board()
    with FakeTrello([b.data], key="k" * 32, token="t" * 64) as fake:
        head = f"trello: {{api_key: {'k' * 32}, token: {'t' * 64}, api_url: '{fake.url}'}}\ndatabase: sqlite:///s.db\n"
        cfg = tmp_path / "c.yaml"
        cfg.write_text(head + PEOPLE + "boards:\n  - board: 'Peer lunch: Will & Jessica'\n")
        assert run_cli(capsys, "sync", "-c", str(cfg))[0] == 0
        code, out, _ = run_cli(capsys, "status", "--json", "-c", str(cfg))
        assert '"meetings": 0' in out
        cfg.write_text(
            head + PEOPLE + "boards:\n  - board: 'Peer lunch: Will & Jessica'\n"
            "    lunches: {lists: [Lunch log]}\n"
        )
        before = fake.stats()["requests"]
        assert run_cli(capsys, "sync", "-c", str(cfg))[0] == 0
        assert fake.stats()["requests"] - before == 1  # the board is unchanged on Trello: not downloaded
        code, out, _ = run_cli(capsys, "status", "--json", "-c", str(cfg))
        assert '"meetings": 1' in out
