"""A configured career ladder's keywords classify entries in the stored domain: SQL and the dossier agree."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from boardbuilder import Board
from clihelp import run_cli

from trellosync.config.settings import load_config
from trellosync.errors import ConfigError
from trellosync.report.documents import build_context, options_from_config
from trellosync.store.db import Store
from trellosync.sync.pipeline import ingest_board, mapping_hash, rebuild_domain

LADDER = """
name: Engineering ladder
level: Senior
criteria:
  - key: growing
    name: Growing others
    competencies: [mentoring]
    keywords: [mentor]          # a word start: "Mentored" holds it
  - key: delivery
    name: Ownership and delivery
    competencies: [delivery]
    keywords: [shipped]
  - key: voice
    name: Speaking up
    keywords: [spoke up]        # no competency named: the criterion's key is the competency
"""
# The same ladder with "mentor" moved from growing others to delivery.
MOVED = LADDER.replace("keywords: [mentor]", "keywords: [coached]").replace("[shipped]", "[shipped, mentor]")

TEXTS = {
    "Mentored Sam through the release": "mentoring",
    "Shipped the importer a week early": "delivery",
    "Spoke up in planning about the estimate": "voice",
    "Ran the retro": None,  # no keyword; the card has two labels, so no single-label rule either
}


def board() -> Board:
    b = Board()
    labels = (b.label("Influence"), b.label("Craft"))
    c = b.card("Lunches", "lunch", due="2026-02-10", labels=labels)
    b.checklist(c, "Best moment", [{"name": t, "member": "willsmith"} for t in TEXTS])
    return b


def workspace(tmp_path: Path, ladder: str | None = LADDER) -> Path:
    """A config naming a ladder file beside it (relative) and a SQLite database; returns the config's path."""
    if ladder is not None:
        (tmp_path / "ladder.yaml").write_text(ladder)
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"""database: sqlite:///{tmp_path / "db.sqlite"}
people:
  will: {{name: Will Smith, trello: willsmith}}
  jessica: {{name: Jessica Jones, trello: jessjones}}
boards:
  - board: 'Peer lunch: Will & Jessica'
    subjects: [will, jessica]
reports:
  dossier: {{ladder: ladder.yaml}}
""")
    return cfg


def sql_competencies(tmp_path: Path) -> dict[str, tuple[str | None, str | None]]:
    """Plain SQL on the stored feedback: text -> (competency, how found)."""
    con = sqlite3.connect(tmp_path / "db.sqlite")
    try:
        return {
            t: (c, s) for t, c, s in con.execute("SELECT text, competency, competency_source FROM feedback")
        }
    finally:
        con.close()


def sql_competency_evidence(tmp_path: Path) -> dict[str | None, int]:
    """The `competency_evidence` view: competency -> entries about Will."""
    con = sqlite3.connect(tmp_path / "db.sqlite")
    try:
        return dict(con.execute("SELECT competency, entries FROM competency_evidence WHERE person = 'will'"))
    finally:
        con.close()


def dossier_filing(cfg: Path) -> dict[str, tuple[str, str | None]]:
    """The dossier of Will built from the store: text -> (criterion section, the entry's competency key)."""
    config = load_config(cfg)
    store = Store(config.database)
    try:
        domain = store.load_domain()
    finally:
        store.close()
    ctx = build_context(
        "dossier",
        "will",
        domain,
        period_from=date(2026, 1, 1),
        period_to=date(2026, 3, 1),
        options=options_from_config(config, report_date=date(2026, 3, 1)),
    )
    assert ctx.by_criterion
    return {
        e.text: (s.key, e.competency_key)
        for s in ctx.sections + [ctx.unclassified]
        for e in s.body + s.more + s.more_quoted
    }


def test_ladder_keywords_reach_the_stored_competency_and_the_dossier_agrees(tmp_path, capsys):
    (tmp_path / "board.json").write_text(json.dumps(board().data))
    cfg = workspace(tmp_path)
    code, _, err = run_cli(capsys, "sync", "-c", str(cfg), "--from-export", str(tmp_path / "board.json"))
    assert code == 0, err
    stored = sql_competencies(tmp_path)
    assert {t: c for t, (c, _) in stored.items()} == TEXTS
    assert {t: s for t, (_, s) in stored.items()} == {t: "keyword" if c else None for t, c in TEXTS.items()}
    assert sql_competency_evidence(tmp_path) == {"mentoring": 1, "delivery": 1, "voice": 1, None: 1}
    filed = dossier_filing(cfg)
    # The dossier files each entry by its stored competency, identically.
    assert {t: comp for t, (_, comp) in filed.items()} == TEXTS
    assert {t: crit for t, (crit, _) in filed.items()} == {
        "Mentored Sam through the release": "growing",
        "Shipped the importer a week early": "delivery",
        "Spoke up in planning about the estimate": "voice",
        "Ran the retro": "unclassified",
    }


def test_changing_the_ladder_file_re_derives_on_rebuild(tmp_path):
    cfg = workspace(tmp_path)
    config = load_config(cfg)
    store = Store(config.database)
    try:
        ingest_board(store, board().data, config)
        assert sql_competencies(tmp_path)["Mentored Sam through the release"][0] == "mentoring"
        assert rebuild_domain(store, config, only_changed=True) == []  # nothing changed: nothing to do
        before = mapping_hash(config, board().data)
        (tmp_path / "ladder.yaml").write_text(MOVED)  # same config file, another ladder
        assert mapping_hash(config, board().data) != before
        assert rebuild_domain(store, config, only_changed=True) == ["Peer lunch: Will & Jessica"]
        assert rebuild_domain(store, config, only_changed=True) == []
    finally:
        store.close()
    assert sql_competencies(tmp_path)["Mentored Sam through the release"] == ("delivery", "keyword")
    assert dossier_filing(cfg)["Mentored Sam through the release"] == ("delivery", "delivery")


def test_a_sync_of_an_unchanged_board_re_derives_when_the_ladder_changes(tmp_path, capsys, monkeypatch):
    from trellosync.testing.fake_trello import FakeTrello

    monkeypatch.chdir(tmp_path)
    with FakeTrello([board().data], key="k" * 32, token="t" * 64) as fake:
        cfg = workspace(tmp_path)
        cfg.write_text(
            f"trello: {{api_key: {'k' * 32}, token: {'t' * 64}, api_url: '{fake.url}'}}\n" + cfg.read_text()
        )
        assert run_cli(capsys, "sync", "-c", str(cfg))[0] == 0
        assert sql_competencies(tmp_path)["Mentored Sam through the release"][0] == "mentoring"
        (tmp_path / "ladder.yaml").write_text(MOVED)
        before = fake.stats()["requests"]
        code, _, err = run_cli(capsys, "sync", "-c", str(cfg))
        assert code == 0, err
        assert fake.stats()["requests"] - before == 1  # the board is unchanged on Trello: not downloaded
    assert sql_competencies(tmp_path)["Mentored Sam through the release"][0] == "delivery"


@pytest.mark.parametrize(
    "ladder, says",
    [
        (None, "no such file"),
        ("criteria: [unclosed", "not valid YAML"),
        ("name: x\ncriteria: []\n", "'criteria' must be a non-empty list"),
        ("criteria:\n  - keywords: [a]\n", "must be a mapping with at least a 'name'"),
    ],
)
def test_a_missing_or_bad_ladder_is_a_config_error_before_anything_is_written(tmp_path, capsys, ladder, says):
    (tmp_path / "board.json").write_text(json.dumps(board().data))
    cfg = workspace(tmp_path, ladder)
    for args in (("sync", "--from-export", str(tmp_path / "board.json")), ("check",), ("rebuild",)):
        code, _, err = run_cli(capsys, *args, "-c", str(cfg))
        assert code == 2, (args, err)
        assert "ladder file" in err and says in err and "Traceback" not in err
    assert not (tmp_path / "db.sqlite").exists()
    # The library says the same at sync time, in one transaction that writes nothing.
    store = Store(f"sqlite:///{tmp_path / 'lib.sqlite'}")
    try:
        with pytest.raises(ConfigError, match="ladder file"):
            ingest_board(store, board().data, load_config(cfg))
        assert store.counts()["meetings"] == 0 and store.boards() == []
    finally:
        store.close()


def test_a_report_warns_while_the_database_lags_behind_the_ladder(tmp_path, capsys):
    (tmp_path / "board.json").write_text(json.dumps(board().data))
    cfg = workspace(tmp_path)
    assert run_cli(capsys, "sync", "-c", str(cfg), "--from-export", str(tmp_path / "board.json"))[0] == 0
    report = ("report", "dossier", "will", "-c", str(cfg), "--format", "json", "--to", "2026-03-01")

    def filed(out: str) -> dict[str, str]:
        ctx = json.loads(out)
        return {e["text"]: s["key"] for s in ctx["sections"] for e in s["body"] + s["more"]}

    code, out, err = run_cli(capsys, *report)
    assert code == 0 and "warning" not in err
    assert filed(out)["Mentored Sam through the release"] == "growing"
    (tmp_path / "ladder.yaml").write_text(MOVED)
    code, out, err = run_cli(capsys, *report)
    assert code == 0 and "the mapping or ladder changed since 1 board(s)" in err and "rebuild" in err
    assert (
        filed(out)["Mentored Sam through the release"] == "growing"
    )  # the database's classification, as SQL
    assert run_cli(capsys, "rebuild", "-c", str(cfg))[0] == 0
    code, out, err = run_cli(capsys, *report)
    assert code == 0 and "warning" not in err
    assert filed(out)["Mentored Sam through the release"] == "delivery"
