"""`trellosync prepare`: the next lunch card and its "How did it go?" checklist, against the fake Trello."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clihelp import run_cli
from sqlalchemy import func, select

from trellosync.cli.demo import example_dir
from trellosync.domain.prepared import ASKED_CHECKLIST, marked_day
from trellosync.store import schema as t
from trellosync.store.db import Store
from trellosync.store.schema import prepared_writes
from trellosync.testing.fake_trello import FakeTrello

KEY, TOKEN, READ_ONLY = "a1" * 16, "b2" * 32, "c3" * 32
ON = "2026-11-16"  # within 20 days: Will & Jessica's lunch of 17 Nov, Amara & Diego's of 26 Nov, the group's 2 Dec
FIRST = "peer-lunch-will-jessica.json"


def _exports() -> list[dict]:
    """Every example board (the config maps them all), Will & Jessica's first."""
    names = [FIRST] + sorted(p.name for p in example_dir().glob("*.json") if p.name != FIRST)
    return [json.loads((example_dir() / name).read_text()) for name in names]


def _config(tmp_path: Path, url: str, token: str = TOKEN) -> Path:
    text = (example_dir() / "config.yaml").read_text()
    text += (
        f"\ntrello: {{api_key: '{KEY}', token: '{token}', api_url: '{url}'}}\n"
        f"database: {tmp_path / 'db.sqlite'}\nprepare: {{days_ahead: 20}}\n"
    )
    cfg = tmp_path / "trellosync.yaml"
    cfg.write_text(text)
    return cfg


def _counts(db: Path) -> dict[str, int]:
    store = Store(f"sqlite:///{db}")
    try:
        with store.engine.connect() as conn:
            return {
                tb.name: conn.execute(select(func.count()).select_from(tb)).scalar_one()
                for tb in (t.lunches, t.feedback, t.commitments, prepared_writes)
            }
    finally:
        store.close()


def _posts(fake: FakeTrello) -> dict[str, int]:
    return {k: v for k, v in fake.stats()["by_path"].items() if k.startswith("POST")}


def _ours(fake: FakeTrello) -> tuple[list[dict], list[dict]]:
    cards = [c for b in fake.boards.values() for c in b["cards"] if marked_day(c.get("desc"))]
    lists = [cl for b in fake.boards.values() for cl in b["checklists"] if cl.get("name") == ASKED_CHECKLIST]
    return cards, lists


def test_prepare_twice_then_sync(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with FakeTrello(_exports(), key=KEY, token=TOKEN) as fake:
        cfg = _config(tmp_path, fake.url)
        assert run_cli(capsys, "sync", "-c", str(cfg))[0] == 0
        before = _counts(tmp_path / "db.sqlite")

        code, out, _ = run_cli(capsys, "prepare", "-c", str(cfg), "--on", ON)
        assert code == 0 and "dry run: 3 lunch(es)" in out and "nothing was written" in out
        planned = out
        assert _posts(fake) == {}

        code, out, err = run_cli(capsys, "prepare", "-c", str(cfg), "--on", ON, "--apply")
        assert code == 0, err
        cards, checklists = _ours(fake)
        assert len(cards) == 3 and len(checklists) == 3
        items = sum(len(cl["checkItems"]) for cl in checklists)
        assert items == planned.count("\n  - ") >= 6
        posts = _posts(fake)
        assert posts == {
            "POST /1/cards": 3,
            "POST /1/checklists": 3,
            "POST /1/checklists/{id}/checkItems": items,
        }
        assert f"wrote 3 lunch(es) in {6 + items} request(s)" in out
        wj = next(c for c in cards if c["idBoard"] == _exports()[0]["id"])
        assert wj["due"].startswith("2026-11-17") and len(wj["idMembers"]) == 2
        assert all(len(c["id"]) == 24 and int(c["id"], 16) >= 0 for c in cards)

        code, out, _ = run_cli(capsys, "prepare", "-c", str(cfg), "--on", ON, "--apply")
        assert code == 0 and "wrote" not in out
        assert _posts(fake) == posts  # the second run writes nothing

        assert run_cli(capsys, "sync", "-c", str(cfg))[0] == 0
        after = _counts(tmp_path / "db.sqlite")
        # A prepared card on which nobody recorded anything is no lunch held: skipped, it would count as one.
        assert after["lunches"] == before["lunches"]
        assert after["feedback"] == before["feedback"] and after["commitments"] == before["commitments"]
        assert after["prepared_writes"] == 6 + items

        # A ticked question is asked, not done: the commitment stays open, the brief says when it was asked.
        store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
        with store.engine.connect() as conn:
            rows = conn.execute(select(prepared_writes).where(prepared_writes.c.kind == "item")).all()
        asked = next(r for r in rows if r.ref_kind == "commitment")
        board = next(
            b
            for b in fake.boards.values()
            for cl in b["checklists"]
            if any(i["id"] == asked.id for i in cl["checkItems"])
        )
        fake.mutate("check_item", board["id"], check_item=asked.id, state="complete")
        store.close()
        assert run_cli(capsys, "sync", "-c", str(cfg))[0] == 0
        store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
        domain = store.load_domain()
        store.close()
        assert len(domain.lunches) == before["lunches"] + 1  # a ticked question: that lunch was held
        commitment = next(c for c in domain.commitments if c.id == asked.ref_id)
        assert not commitment.done and commitment.completed_at is None
        assert str(domain.asked[asked.ref_id]) == str(asked.lunch_date)
        assert not any(f.id in {r.id for r in rows} for f in domain.feedback)
        owner = fake.me["username"]  # Trello records the token's owner as the author of every write
        assert all(owner not in (f.said_by, f.about) for f in domain.feedback)
        assert all(c.person != owner for c in domain.commitments)
        assert not any(owner in lu.participants + lu.about for lu in domain.lunches)

        code, out, _ = run_cli(capsys, "prepare", "-c", str(cfg), "--on", ON, "--apply")
        assert code == 0 and _posts(fake) == posts


def test_renamed_moved_or_deleted_card_is_not_made_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exports = _exports()
    with FakeTrello(exports, key=KEY, token=TOKEN) as fake:
        cfg = _config(tmp_path, fake.url)
        assert run_cli(capsys, "sync", "-c", str(cfg))[0] == 0
        assert run_cli(capsys, "prepare", "-c", str(cfg), "--on", ON, "--apply")[0] == 0
        card = next(c for c in _ours(fake)[0] if c["idBoard"] == exports[0]["id"])
        posts = _posts(fake)
        fake.mutate("rename_card", exports[0]["id"], card=card["id"], name="Lunch somewhere else")
        card["idList"] = next(x["id"] for x in fake.boards[exports[0]["id"]]["lists"] if x["name"] == "Goals")
        assert run_cli(capsys, "sync", "-c", str(cfg))[0] == 0
        assert run_cli(capsys, "prepare", "-c", str(cfg), "--on", ON, "--apply")[0] == 0
        assert _posts(fake) == posts
        fake.mutate("delete_card", exports[0]["id"], card=card["id"])
        assert run_cli(capsys, "sync", "-c", str(cfg))[0] == 0
        code, out, err = run_cli(capsys, "prepare", "-c", str(cfg), "--on", ON, "--apply", "-v")
        assert code == 0 and _posts(fake) == posts
        assert "was deleted on the board: not made again" in err


def test_a_read_only_token_gets_one_line_and_exit_4(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeTrello(_exports(), key=KEY, token=READ_ONLY, read_only_tokens=(READ_ONLY,)) as fake:
        cfg = _config(tmp_path, fake.url, READ_ONLY)
        assert run_cli(capsys, "sync", "-c", str(cfg))[0] == 0  # reading works
        code, out, err = run_cli(capsys, "prepare", "-c", str(cfg), "--on", ON, "--apply")
        assert code == 4
        err = "".join(
            line
            for line in err.splitlines(keepends=True)  # the config's plaintext-token warning
            if not (line.startswith("warning: ") and "trello.token is written in the file" in line)
        )
        assert err.count("\n") == 1 and "read-only" in err and "Traceback" not in err
        assert READ_ONLY not in err
        assert _counts(tmp_path / "db.sqlite")["prepared_writes"] == 0
        assert fake.stats()["by_status"].get("401") == 1


def test_sync_prepare_dry_run_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with FakeTrello(_exports(), key=KEY, token=TOKEN) as fake:
        cfg = _config(tmp_path, fake.url)
        code, out, err = run_cli(capsys, "sync", "-c", str(cfg), "--prepare")
        assert code == 0, err
        assert _posts(fake) == {}
        assert run_cli(capsys, "sync", "-c", str(cfg), "--apply")[0] == 2  # --apply needs --prepare
