"""Hostile exports and API answers, generated with fixed seeds: for each, no traceback, the documented exit
code, the database as it was (when refused), and neither a secret nor card text in the output.

Families: wrong types, duplicate ids, impossible and out-of-range dates, deep nesting, huge numbers, NaN,
lone surrogates, NUL bytes, control characters, plus random mutations of the real exports in ../shared/data.
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import responses
from clihelp import run_cli
from conftest import EXPORTS, copy_sqlite

KEY = "FUZZKEY" + "0a1b2c3d" * 3 + "e"
TOKEN = "FUZZTOKEN" + "9f8e7d6c" * 7 + "b"
API = "https://api.trello.com/1"
REAL = sorted(EXPORTS.glob("*.json"))
DOCUMENTED = {0, 2, 3, 4, 5, 6, 7}  # README "Exit codes"; 1 (a bug) must never happen


@pytest.fixture(autouse=True)
def _crash_logs_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))


def _load(name: str = "small-notes-board.json") -> dict[str, Any]:
    return json.loads((EXPORTS / name).read_text(encoding="utf-8"))


def _card_texts(board: Any) -> list[str]:
    """Distinctive card and comment text of a board (what must never reach the terminal)."""
    out: list[str] = []
    for c in board.get("cards") or [] if isinstance(board, dict) else []:
        if isinstance(c, dict):
            out += [c.get("desc"), c.get("name")]
    for a in board.get("actions") or [] if isinstance(board, dict) else []:
        if isinstance(a, dict) and isinstance(a.get("data"), dict):
            out.append(a["data"].get("text"))
    return [t.strip()[:40] for t in out if isinstance(t, str) and len(t.strip()) >= 16]


def _db_state(db: Path) -> str:
    if not db.exists():
        return "absent"
    con = sqlite3.connect(db)
    try:
        return hashlib.sha256("\n".join(con.iterdump()).encode("utf-8", "surrogatepass")).hexdigest()
    finally:
        con.close()


# ---------------------------------------------------------------- the families


def _nest(depth: int) -> Any:
    v: Any = "x"
    for _ in range(depth):
        v = {"a": [v]}
    return v


def _families() -> dict[str, Callable[[dict[str, Any]], Any]]:
    def set_card(key: str, value: Any) -> Callable[[dict[str, Any]], Any]:
        def f(b: dict[str, Any]) -> Any:
            b["cards"][0][key] = value
            return b

        return f

    def dup(key: str) -> Callable[[dict[str, Any]], Any]:
        def f(b: dict[str, Any]) -> Any:
            b[key].append(copy.deepcopy(b[key][0]))
            return b

        return f

    def top(key: str, value: Any) -> Callable[[dict[str, Any]], Any]:
        def f(b: dict[str, Any]) -> Any:
            b[key] = value
            return b

        return f

    return {
        "top-level list": lambda b: [b],
        "top-level string": lambda b: "a board",
        "board id number": top("id", 12345),
        "board id missing": lambda b: {k: v for k, v in b.items() if k != "id"},
        "cards a string": top("cards", "not a list"),
        "cards an object": top("cards", {"a": 1}),
        "lists of numbers": top("lists", [1, 2, 3]),
        "actions of strings": top("actions", ["a", "b"]),
        "card name a list": set_card("name", ["x"]),
        "card desc an object": set_card("desc", {"text": "x"}),
        "card closed a string": set_card("closed", "false"),
        "card idShort huge": set_card("idShort", 10**30),
        "card idShort float": set_card("idShort", 1.5),
        "card pos huge": set_card("pos", 10**400),
        "card due Feb 30": set_card("due", "2026-02-30T12:00:00.000Z"),
        "card due year 0": set_card("due", "0000-01-01T00:00:00.000Z"),
        "card due year 9999 east": set_card("due", "9999-12-31T23:59:59+14:00"),
        "card due year 1 west": set_card("due", "0001-01-01T00:00:00-01:00"),
        "card due month 13": set_card("due", "2026-13-01T00:00:00Z"),
        "card due a number": set_card("due", 1700000000),
        "card idLabels of numbers": set_card("idLabels", [1, 2]),
        "card id empty": set_card("id", ""),
        "duplicate card": dup("cards"),
        "duplicate list": dup("lists"),
        "duplicate label": dup("labels"),
        "duplicate checklist": dup("checklists"),
        "deep nesting in a card": set_card("badges", _nest(200)),
        "board dateLastActivity impossible": top("dateLastActivity", "2026-99-99"),
        "action date impossible": lambda b: (b["actions"][0].__setitem__("date", "2026-02-31T00:00:00Z"), b)[
            1
        ],
        "action data a list": lambda b: (b["actions"][0].__setitem__("data", [1]), b)[1],
        "comment text a number": lambda b: (
            next(a for a in b["actions"] if a.get("type") == "commentCard")["data"].__setitem__("text", 42),
            b,
        )[1],
        "check items a string": lambda b: (b["checklists"][0].__setitem__("checkItems", "x"), b)[1],
        "duplicate check item": lambda b: (
            b["checklists"][0]["checkItems"].append(copy.deepcopy(b["checklists"][0]["checkItems"][0])),
            b,
        )[1],
    }


# Text families that are cleaned, not refused (exit 0, and said so at -v).
CLEANED = {
    "NUL in a description": ("desc", "before\x00after"),
    "lone surrogate in a name": ("name", "bad \ud800 name"),
    "escape sequences in a name": ("name", "\x1b[2J\x1b]0;pwned\x07 name"),
}


def _run_export(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, data: Any, db: Path, raw: bytes | None = None
) -> tuple[int, str, str]:
    path = tmp_path / "hostile.json"
    path.write_bytes(raw if raw is not None else json.dumps(data, ensure_ascii=True).encode())
    return run_cli(capsys, "sync", "--database", str(db), "--from-export", str(path))


def _assert_clean_refusal(code: int, out: str, err: str, texts: list[str]) -> None:
    assert code in DOCUMENTED and code != 0, (code, err)
    assert "Traceback" not in err and "Traceback" not in out
    assert len(err.strip().splitlines()) <= 3, err
    for needle in (KEY, TOKEN, *texts):
        assert needle not in out + err, (needle, err)


@pytest.fixture(scope="module")
def _seeded_original(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Where the first seeded database of this module is kept, to be copied instead of imported again."""
    return {}


def _seed(
    db: Path,
    original: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Make `db` a database holding notes-board.json: imported by the CLI once per module, then copied."""
    if "db" in original:
        copy_sqlite(original["db"], db)
        return
    code, _, err = run_cli(
        capsys, "sync", "--database", str(db), "--from-export", str(EXPORTS / "notes-board.json")
    )
    assert code == 0, err
    original["db"] = copy_sqlite(db, tmp_path_factory.mktemp("seeded") / "fuzz.db")


@pytest.fixture
def seeded_db(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    _seeded_original: dict[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    """A database that already holds one real export (so 'unchanged' means something)."""
    db = tmp_path / "fuzz.db"
    _seed(db, _seeded_original, capsys, tmp_path_factory)
    return db


@pytest.mark.parametrize("family", sorted(_families()))
def test_hostile_export_is_refused_with_exit_3_naming_the_field(
    family: str,
    seeded_db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRELLO_TOKEN", TOKEN)
    board = _load()
    texts = _card_texts(board)
    data = _families()[family](copy.deepcopy(board))
    before = _db_state(seeded_db)
    code, out, err = _run_export(capsys, tmp_path, data, seeded_db)
    _assert_clean_refusal(code, out, err, texts)
    assert code == 3, err
    assert _db_state(seeded_db) == before
    if isinstance(data, dict):
        assert re.search(r"(cards|lists|labels|actions|checklists|id|dateLastActivity|nested)", err), err


@pytest.mark.parametrize(
    "raw, why",
    [
        (b'{"id": "abc", "cards": [' * 1 + b"[" * 100000 + b"]" * 100000 + b"]}", "nested"),
        (b'{"id": "abc", "cards": [], "pos": ' + b"9" * 5000 + b"}", "number too large"),
        (b'{"id": "abc", "cards": [], "pos": NaN}', "NaN"),
        (b'{"id": "abc", "cards": [], "pos": 1e999}', "finite"),
        (b"\xff\xfe{}", "UTF-8"),
        (b'{"id": "abc", "cards": [', "truncated"),
    ],
    ids=["deep", "huge-int", "nan", "inf", "not-utf8", "truncated"],
)
def test_hostile_export_bytes(
    raw: bytes, why: str, seeded_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _db_state(seeded_db)
    code, out, err = _run_export(capsys, tmp_path, None, seeded_db, raw=raw)
    _assert_clean_refusal(code, out, err, [])
    assert code == 3 and why in err, err
    assert _db_state(seeded_db) == before


def test_fifo_and_device_are_refused_at_once(
    seeded_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    fifo = tmp_path / "export.fifo"
    os.mkfifo(fifo)
    for path in (fifo, Path("/dev/zero")):
        code, out, err = run_cli(capsys, "sync", "--database", str(seeded_db), "--from-export", str(path))
        assert code == 3 and "not a regular file" in err, err


def test_oversized_export_is_refused(
    seeded_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import trellosync.mirror.validate as v

    monkeypatch.setattr(v, "MAX_EXPORT_BYTES", 1000)
    monkeypatch.setattr(v.read_limited, "__defaults__", (1000,))
    code, out, err = run_cli(
        capsys, "sync", "--database", str(seeded_db), "--from-export", str(EXPORTS / "notes-board.json")
    )
    assert code == 3 and "more than the 1,000" in err, err


@pytest.mark.parametrize("family", sorted(CLEANED))
def test_bad_text_is_cleaned_and_said_so_at_v(
    family: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    key, value = CLEANED[family]
    board = _load()
    board["cards"][0][key] = value
    db = tmp_path / "clean.db"
    path = tmp_path / "b.json"
    path.write_text(json.dumps(board))
    code, out, err = run_cli(capsys, "sync", "-v", "--database", str(db), "--from-export", str(path))
    assert code == 0, err
    con = sqlite3.connect(db)
    stored = con.execute(
        "SELECT name, description FROM cards WHERE id = ?", (board["cards"][0]["id"],)
    ).fetchone()
    con.close()
    assert "\x00" not in "".join(stored) and "\ud800" not in "".join(stored)
    if family != "escape sequences in a name":
        assert "NUL byte" in caplog.text or "surrogate" in caplog.text
        assert value not in caplog.text and "cards[]." in caplog.text  # counts and fields, never the text


def test_nul_and_surrogate_are_cleaned_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    from trellosync.store.db import Store
    from trellosync.sync.pipeline import ingest_board

    board = _load()
    board["cards"][0]["desc"] = "a\x00b \ud83d"
    board["cards"][1]["name"] = "\x00"
    store = Store(pg_url)
    try:
        ingest_board(store, board, None)
        with store.begin() as conn:
            desc = conn.exec_driver_sql(
                "SELECT description FROM cards WHERE id = %(i)s", {"i": board["cards"][0]["id"]}
            ).scalar()
    finally:
        store.close()
    assert desc == "ab \ufffd"


# ---------------------------------------------------------------- random mutations of the real exports


def _paths(value: Any, path: tuple = ()) -> Iterator[tuple]:
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value[:5]):
            yield from _paths(v, path + (i,))


MUTANTS: list[Any] = [
    None,
    True,
    0,
    -1,
    2**70,
    1.5e308,
    "",
    "x" * 300,
    "\x00",
    "\ud800",
    "2026-02-30",
    [],
    {},
    [None],
    {"id": 1},
    "../../etc/passwd",
    "${TRELLO_TOKEN}",
    _nest(60),
]


def _mutate(data: Any, rnd: random.Random) -> Any:
    paths = [p for p in _paths(data) if p]
    for _ in range(rnd.randint(1, 3)):
        path = rnd.choice(paths)
        parent = data
        for p in path[:-1]:
            parent = parent[p]
        op = rnd.random()
        if op < 0.7:
            parent[path[-1]] = copy.deepcopy(rnd.choice(MUTANTS))
        elif op < 0.85 and isinstance(parent, dict):
            parent.pop(path[-1], None)
        elif isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))  # a duplicate
        paths = [p for p in _paths(data) if p]
    return data


def _mutation_cases(count: int) -> list[tuple[str, int]]:
    return [(p.name, seed) for p in REAL for seed in range(count)]


def _check_mutation(
    name: str, seed: int, tmp_path: Path, capsys: pytest.CaptureFixture[str], seeded_db: Path
) -> None:
    board = json.loads((EXPORTS / name).read_text(encoding="utf-8"))
    texts = _card_texts(board)
    data = _mutate(copy.deepcopy(board), random.Random(f"{name}:{seed}"))
    db = seeded_db
    before = _db_state(db)
    code, out, err = _run_export(capsys, tmp_path, data, db)
    assert "Traceback" not in err and code in (0, 3), (name, seed, code, err)
    for needle in (KEY, TOKEN, *texts):
        assert needle not in out + err, (name, seed, needle, err)
    if code != 0:
        assert _db_state(db) == before, (name, seed)


@pytest.mark.parametrize(
    "name, seed", [pytest.param(n, s, marks=[pytest.mark.slow] if s else []) for n, s in _mutation_cases(4)]
)  # the inner loop: seed 0 of each export
def test_random_mutations_of_real_exports(
    name: str, seed: int, tmp_path: Path, capsys: pytest.CaptureFixture[str], seeded_db: Path
) -> None:
    _check_mutation(name, seed, tmp_path, capsys, seeded_db)


@pytest.mark.slow
@pytest.mark.parametrize("name, seed", [(n, s) for n, s in _mutation_cases(40) if s >= 4])
def test_many_random_mutations_of_real_exports(
    name: str, seed: int, tmp_path: Path, capsys: pytest.CaptureFixture[str], seeded_db: Path
) -> None:
    _check_mutation(name, seed, tmp_path, capsys, seeded_db)


# ---------------------------------------------------------------- hostile API answers

BOARD_ID = "5f0000000000000000000001"


def _api_families() -> dict[str, Callable[[dict[str, Any]], Any]]:
    fams = {name: f for name, f in _families().items() if not name.startswith(("top-level", "board id"))}
    fams["a list instead of a board"] = lambda b: [b]
    fams["null"] = lambda b: None
    return fams


def _api_sync(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, body: bytes | str, db: Path, listing: Any = None
) -> tuple[int, str, str]:
    cfg = tmp_path / "c.yaml"
    cfg.write_text(
        f"trello:\n  api_key: {KEY}\n  token: {TOKEN}\n  max_retries: 0\ndatabase: sqlite:///{db}\n"
    )
    listing = (
        listing
        if listing is not None
        else [
            {
                "id": BOARD_ID,
                "name": "Hostile",
                "closed": False,
                "dateLastActivity": "2026-01-01T00:00:00.000Z",
                "shortLink": "AbCdEfGh",
                "url": "https://trello.com/b/AbCdEfGh/hostile",
            }
        ]
    )
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add(responses.GET, re.compile(re.escape(API) + r"/members/me/boards.*"), json=listing)
        rsps.add(
            responses.GET,
            re.compile(re.escape(API) + rf"/boards/{BOARD_ID}.*"),
            body=body,
            content_type="application/json",
        )
        return run_cli(capsys, "sync", "-c", str(cfg))


# Every family also reaches the same checks through an export (above, all in the inner loop); through the API
# three stay in the inner loop and the rest run in the whole suite (each is a sync of a real board).
API_FAMILIES_IN_THE_INNER_LOOP = {"deep nesting in a card", "card due month 13", "card name a list"}


@pytest.mark.parametrize(
    "family",
    [
        pytest.param(f, marks=[] if f in API_FAMILIES_IN_THE_INNER_LOOP else [pytest.mark.slow])
        for f in sorted(_api_families())
    ],
)
def test_hostile_api_answer_fails_that_board_alone(
    family: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    board = _load()
    board["id"] = BOARD_ID
    texts = _card_texts(board)
    data = _api_families()[family](copy.deepcopy(board))
    db = tmp_path / "api.db"
    code, out, err = _api_sync(capsys, tmp_path, json.dumps(data), db)
    _assert_clean_refusal(code, out, err, texts)
    assert code in (5, 6), err
    assert "Hostile" in err or "GET /boards" in err, err
    # A sync in which no board synced leaves no new database behind (issue 9); if one exists it holds nothing.
    if db.exists():
        con = sqlite3.connect(db)
        assert con.execute("SELECT count(*) FROM cards").fetchone() == (0,)
        con.close()


@pytest.mark.parametrize(
    "listing",
    [
        ["x"],
        [{"id": 5}],
        [{"id": "a", "name": ["x"]}],
        [{"id": "a", "dateLastActivity": "2026-02-30"}],
        {"id": "a"},
    ],
)
def test_hostile_board_listing_is_a_clear_error(
    listing: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _api_sync(capsys, tmp_path, "{}", tmp_path / "l.db", listing=listing)
    _assert_clean_refusal(code, out, err, [])
    assert code == 5, err


@pytest.mark.parametrize(
    "body",
    ["[" * 100000 + "]" * 100000, "not json at all", '{"id": "' + "\\ud800" + '"}'],
    ids=["deep", "text", "surrogate-id"],
)
def test_unparseable_api_body_is_a_clear_error(
    body: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _api_sync(capsys, tmp_path, body, tmp_path / "b.db")
    _assert_clean_refusal(code, out, err, [])
    assert code in (5, 6), err


def test_full_disk_during_an_import_is_one_clear_error_and_changes_nothing(seeded_db: Path) -> None:
    from sqlalchemy import event

    from trellosync.errors import StoreError
    from trellosync.store.db import Store
    from trellosync.sync.pipeline import ingest_board

    store = Store(f"sqlite:///{seeded_db}")
    pages = store.engine.connect().exec_driver_sql("PRAGMA page_count").scalar()
    store.engine.dispose()
    # SQLite's max_page_count makes the next growth of the file fail exactly as a full disk does.
    event.listen(
        store.engine, "connect", lambda dbapi, _rec: dbapi.execute(f"PRAGMA max_page_count = {pages + 1}")
    )
    board = json.loads((EXPORTS / "csv-export-board.json").read_text())
    before = _db_state(seeded_db)
    with pytest.raises(StoreError) as err:
        ingest_board(store, board, None)
    store.close()
    message = str(err.value)
    assert "full" in message and err.value.exit_code == 8
    assert not [t for t in _card_texts(board) if t in message]
    assert _db_state(seeded_db) == before


def test_the_inner_loop_api_families_exist() -> None:
    assert API_FAMILIES_IN_THE_INNER_LOOP <= set(_api_families())
