"""A fake Trello REST API on 127.0.0.1 serving real board exports, with auth, faults, paging and mutations.

    python -m trellosync.testing.fake_trello --export FILE.json [--export ...] [--port N]
        [--key K --token T] [--faults 429=0.3,500=0.1,drop=0.05,slow=0.05] [--seed S] [--page-threshold N]
        [--synthesize N]

The first line on stdout is the base URL (``http://127.0.0.1:PORT/1``). ``GET /_stats`` counts requests,
``POST /_mutate`` changes a board the way a user would (and appends the matching action), ``POST /_reset``
clears the counters.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from trellosync.testing.fake_limits import RateLimits  # noqa: F401 - the fake's public names
from trellosync.testing.fake_mutations import find_card, mutate_board, new_object_id  # noqa: F401
from trellosync.testing.fake_routes import TrelloRoutes
from trellosync.testing.fake_server import Hostile, _Fault, _Handler, _Json, _Server  # noqa: F401 - tests patch _Server
from trellosync.testing.fake_writes import TrelloWrites
from trellosync.testing.synthetic import NESTED_KEYS, _id_key, _iso, synthesize_board  # noqa: F401

_AUTH_RE = re.compile(r'^OAuth\s+oauth_consumer_key="([^"]*)",\s*oauth_token="([^"]*)"\s*$')


def _copy_json(value: Any) -> Any:
    """A copy of parsed JSON (dicts, lists and immutable scalars): what copy.deepcopy gives, in half the time."""
    if isinstance(value, dict):
        return {k: _copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_json(v) for v in value]
    return value


class FakeTrello(TrelloRoutes, TrelloWrites):
    """The fake server; importable from tests (start()/stop()/url/stats()/mutate())."""

    def __init__(
        self,
        exports: list[dict[str, Any] | str | Path] | None = None,
        *,
        key: str | None = None,
        token: str | None = None,
        faults: dict[str, float] | None = None,
        seed: int | None = None,
        page_threshold: int = 1000,
        port: int = 0,
        slow_seconds: float = 1.5,
        latency: float = 0.0,
        limits: RateLimits | None | bool = True,
        too_many_status: int = 403,
        read_only_tokens: tuple[str, ...] = (),
    ) -> None:
        self.boards: dict[str, dict[str, Any]] = {}
        for e in exports or []:
            self.add_board(e)
        self.key = key
        self.token = token
        self.faults = dict(faults or {})
        self.rng = random.Random(seed)
        self.page_threshold = page_threshold
        self.slow_seconds = slow_seconds
        self.latency = latency
        # Real Trello refuses too large a nested board with 403 API_TOO_MANY_CARDS_REQUESTED (TRELLO-FACTS.md).
        self.too_many_status = too_many_status
        # Tokens made with read scope only: real Trello answers their writes 401 "invalid token" (text/plain).
        self.read_only_tokens = set(read_only_tokens)
        self.me = {"id": new_object_id(0), "username": "tokenowner", "fullName": "Token Owner"}  # who writes
        self.limits = RateLimits() if limits is True else (limits or None)
        self.headers: dict[str, str] = {}  # extra headers of the next answers (tests: Retry-After, ...)
        self.trickle = 0.0  # > 0: send each answer's body one byte per this many seconds (a hostile server)
        # "endless" (a chunked body that never ends) or "gzip_bomb" (bomb_bytes of JSON in a tiny gzip body),
        # for the 200 answers `hostile_when(path, query)` picks (default: every one); fake_hostile.py
        self.hostile: str | None = None
        self.hostile_when: Any = None
        self.bomb_bytes = 3 * 1024**3
        self.by_board: Counter[str] = Counter()
        self.port = port
        self.lock = threading.RLock()
        self.requests = 0
        self.by_path: Counter[str] = Counter()
        self.by_status: Counter[int] = Counter()
        self.faults_injected: Counter[str] = Counter()
        self.secrets_in_query = 0
        self.log: list[dict[str, Any]] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ---- data ------------------------------------------------------------------------------------------
    def add_board(self, export: dict[str, Any] | str | Path) -> dict[str, Any]:
        """Serve one more board (an export dict, or the path of an export file)."""
        # A file is parsed into a board of its own; a dict is copied, since the fake mutates what it serves.
        board: dict[str, Any] = (
            _copy_json(export)
            if isinstance(export, dict)
            else json.loads(Path(export).read_text(encoding="utf-8"))
        )
        for k in ("actions", "cards", "checklists", "labels", "lists", "members"):
            board.setdefault(k, [])
        board["actions"].sort(key=lambda a: (a.get("date") or "", _id_key(a.get("id", ""))), reverse=True)
        self.boards[board["id"]] = board
        return board

    # ---- lifecycle -------------------------------------------------------------------------------------
    def start(self) -> FakeTrello:
        """Start serving in a background thread; returns self."""
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = _Server(("127.0.0.1", self.port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-trello", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeTrello:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The API base URL, e.g. http://127.0.0.1:PORT/1."""
        return f"http://127.0.0.1:{self.port}/1"

    def stats(self) -> dict[str, Any]:
        """Request counters: total, by path template, by status, faults injected, secrets seen in URLs."""
        with self.lock:
            return {
                "requests": self.requests,
                "by_path": dict(self.by_path),
                "by_status": {str(k): v for k, v in self.by_status.items()},
                "faults": dict(self.faults_injected),
                "secrets_in_query": self.secrets_in_query,
                "by_board": dict(self.by_board),
                "rate_limited": dict(self.limits.exceeded) if self.limits else {},
            }

    def reset_stats(self) -> None:
        """Zero the counters."""
        with self.lock:
            self.requests = 0
            self.by_path.clear()
            self.by_status.clear()
            self.faults_injected.clear()
            self.by_board.clear()
            self.log.clear()
            if self.limits:
                self.limits.exceeded.clear()

    # ---- mutations -------------------------------------------------------------------------------------
    def mutate(self, op: str, board: str, **kw: Any) -> dict[str, Any]:
        """Change a board like a user would; returns the new action. ops: check_item, comment, archive_card,
        delete_card, rename_card, create_card."""
        with self.lock:
            b = self._board(board)
            if b is None:
                raise KeyError(f"no board {board}")
            return mutate_board(b, op, kw)

    def move_card(self, card: str, source: str, target: str) -> dict[str, Any]:
        """Move a card to another served board as Trello does: same id, moveCardFromBoard on the source,
        moveCardToBoard on the target (data.boardTarget / data.boardSource, as recorded exchanges show);
        the card's older actions stay in the source board's history. Returns the target's action."""
        with self.lock:
            src, dst = self._board(source), self._board(target)
            if src is None or dst is None:
                raise KeyError(f"no board {source if src is None else target}")
            c = find_card(src, card)
            checklists = [cl for cl in src["checklists"] if cl.get("idCard") == c["id"]]
            src["cards"] = [x for x in src["cards"] if x["id"] != c["id"]]
            src["checklists"] = [cl for cl in src["checklists"] if cl.get("idCard") != c["id"]]
            lst = next((x for x in dst["lists"] if not x.get("closed")), None) or {"id": new_object_id()}
            away = _move_action(
                src, "moveCardFromBoard", c, boardTarget={"id": dst["id"], "name": dst.get("name")}
            )
            c.update(idBoard=dst["id"], idList=lst["id"], idLabels=[], dateLastActivity=away["date"])
            dst["cards"].append(c)
            dst["checklists"] += [{**cl, "idBoard": dst["id"]} for cl in checklists]
            here = _move_action(
                dst, "moveCardToBoard", c, boardSource={"id": src["id"], "name": src.get("name")}
            )
            return here

    # ---- request handling ------------------------------------------------------------------------------
    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        """Answer one request: (status, JSON-able body); raises _Fault('drop') to cut the connection."""
        status, payload, _ = self.respond(method, raw_path, headers, body)
        return status, payload

    def respond(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, Any, dict[str, str]]:
        """Answer one request: (status, JSON-able body or text, headers); raises _Fault('drop')."""
        extra: dict[str, str] = dict(self.headers)
        status, payload = self._answer(method, raw_path, headers, body, extra)
        return status, payload, extra

    def _answer(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes, extra: dict[str, str]
    ) -> tuple[int, Any]:
        parts = urlsplit(raw_path)
        path = parts.path.rstrip("/") or "/"
        q = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        if path == "/_stats":
            return 200, self.stats()
        if path == "/_reset":
            self.reset_stats()
            return 200, {}
        if path == "/_mutate" and method == "POST":
            args = json.loads(body or b"{}")
            try:
                return 200, self.mutate(args.pop("op"), args.pop("board"), **args)
            except (KeyError, ValueError) as exc:
                return 400, {"error": str(exc)}
        template = re.sub(r"/[0-9a-fA-F]{24}(?=/|$)", "/{id}", path)
        with self.lock:
            self.requests += 1
            self.by_path[f"{method} {template}"] += 1
            if "key" in q or "token" in q:
                self.secrets_in_query += 1
            self.log.append({"method": method, "path": path, "query": q, "body": _body_keys(body)})
            fault = self._pick_fault()
            limited = None
            if self.limits is not None:
                m = _AUTH_RE.match(headers.get("Authorization", ""))
                key, token = (m.group(1), m.group(2)) if m else ("", "")
                rate_headers, limited = self.limits.count(key, token, path.startswith("/1/members/"))
                extra.update(rate_headers)
        if self.latency:
            time.sleep(self.latency)
        if fault == "drop":
            raise _Fault("drop")
        if fault == "slow":
            time.sleep(self.slow_seconds)
        if limited:
            return 429, {"error": limited, "message": "Rate limit exceeded"}
        if fault == "429":
            return 429, {"error": "API_TOKEN_LIMIT_EXCEEDED", "message": "Rate limit exceeded"}
        if fault == "500":
            return 500, {"message": "Internal server error"}
        if self.key is not None or self.token is not None:
            m = _AUTH_RE.match(headers.get("Authorization", ""))
            if m and m.group(1) != (self.key or m.group(1)):
                # Trello names a wrong key "invalid key", text/plain (seen in Lujeni/matterllo#30).
                return 401, "invalid key"
            if not m or m.group(2) != (self.token or m.group(2)):
                return 401, "invalid token"
        if method != "GET":
            m = _AUTH_RE.match(headers.get("Authorization", ""))
            if m and m.group(2) in self.read_only_tokens:
                return 401, "invalid token"
            with self.lock:
                status, payload = self._write_route(method, path, q, body)
                return status, payload if isinstance(payload, str) else _Json(json.dumps(payload))
        if self.hostile and (self.hostile_when is None or self.hostile_when(path, q)):
            return 200, Hostile(self.hostile)
        with self.lock:
            status, payload = self._route(path, q)
            # Serialized under the lock so a concurrent mutate() never changes what is being written.
            return status, payload if isinstance(payload, str) else _Json(json.dumps(payload))

    def _pick_fault(self) -> str | None:
        r = self.rng.random()
        acc = 0.0
        for name in ("429", "500", "drop", "slow"):
            acc += self.faults.get(name, 0.0)
            if r < acc:
                self.faults_injected[name] += 1
                return name
        return None


def _body_keys(body: bytes) -> list[str]:
    """The parameter names of a JSON object body (the writes send theirs there), for the request log."""
    try:
        data = json.loads(body) if body else None
    except ValueError:
        return []
    return sorted(data) if isinstance(data, dict) else []


def _parse_faults(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, rate = part.partition("=")
        if name not in ("429", "500", "drop", "slow"):
            raise argparse.ArgumentTypeError(f"unknown fault {name!r} (expected 429, 500, drop, slow)")
        out[name] = float(rate)
    return out


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: serve until interrupted."""
    p = argparse.ArgumentParser(
        prog="python -m trellosync.testing.fake_trello", description=__doc__.split("\n")[0]
    )
    p.add_argument("--export", action="append", default=[], help="board export JSON (repeatable)")
    p.add_argument(
        "--synthesize",
        type=int,
        action="append",
        default=[],
        metavar="N",
        help="also serve a synthetic board of N cards (repeatable)",
    )
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--key")
    p.add_argument("--token")
    p.add_argument("--faults", type=_parse_faults, default={})
    p.add_argument("--seed", type=int)
    p.add_argument("--page-threshold", type=int, default=1000)
    args = p.parse_args(argv)
    fake = FakeTrello(
        args.export,
        key=args.key,
        token=args.token,
        faults=args.faults,
        seed=args.seed,
        page_threshold=args.page_threshold,
        port=args.port,
    )
    for i, n in enumerate(args.synthesize):
        fake.add_board(synthesize_board(n, seed=i + 1))
    fake.start()
    print(fake.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())


def _move_action(b: dict[str, Any], kind: str, card: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """Record a move action on a served board (newest first) and mark the board active."""
    from trellosync.testing.fake_mutations import _new_action

    action = _new_action(b)
    action["type"] = kind
    action["data"].update(
        card={
            "id": card["id"],
            "name": card.get("name"),
            "idShort": card.get("idShort"),
            "shortLink": card.get("shortLink"),
        },
        **extra,
    )
    b["actions"].insert(0, action)
    b["dateLastActivity"] = action["date"]
    return action
