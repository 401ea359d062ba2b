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
import copy
import itertools
import json
import os
import random
import re
import socket
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .fake_limits import RateLimits  # noqa: F401 - the fake's public names
from .synthetic import NESTED_KEYS, _id_key, _iso, synthesize_board  # noqa: F401

_counter = itertools.count(random.randrange(1 << 20))
_counter_lock = threading.Lock()
_PROCESS_TAG = os.urandom(5).hex()


def new_object_id(when: float | None = None) -> str:
    """A MongoDB-style ObjectId: 8 hex digits of Unix time, 5 random bytes, a 3-byte counter."""
    with _counter_lock:
        n = next(_counter) & 0xFFFFFF
    return f"{int(when if when is not None else time.time()):08x}{_PROCESS_TAG}{n:06x}"


_AUTH_RE = re.compile(r'^OAuth\s+oauth_consumer_key="([^"]*)",\s*oauth_token="([^"]*)"\s*$')




class _Fault(Exception):
    pass


class _Json(str):
    """Already-serialized JSON text."""


class FakeTrello:
    """The fake server; importable from tests (start()/stop()/url/stats()/mutate())."""

    def __init__(self, exports: list[dict[str, Any] | str | Path] | None = None, *, key: str | None = None,
                 token: str | None = None, faults: dict[str, float] | None = None, seed: int | None = None,
                 page_threshold: int = 1000, port: int = 0, slow_seconds: float = 1.5,
                 latency: float = 0.0, limits: RateLimits | None | bool = True,
                 too_many_status: int = 403) -> None:
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
        self.limits = RateLimits() if limits is True else (limits or None)
        self.headers: dict[str, str] = {}  # extra headers of the next answers (tests: Retry-After, ...)
        self.trickle = 0.0  # > 0: send each answer's body one byte per this many seconds (a hostile server)
        self.by_board: Counter[str] = Counter()
        self.port = port
        self.lock = threading.RLock()
        self.requests = 0
        self.by_path: Counter[str] = Counter()
        self.by_status: Counter[int] = Counter()
        self.faults_injected: Counter[str] = Counter()
        self.secrets_in_query = 0
        self.log: list[dict[str, Any]] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- data ------------------------------------------------------------------------------------------
    def add_board(self, export: dict[str, Any] | str | Path) -> dict[str, Any]:
        """Serve one more board (an export dict, or the path of an export file)."""
        if not isinstance(export, dict):
            export = json.loads(Path(export).read_text(encoding="utf-8"))
        board = copy.deepcopy(export)
        for k in ("actions", "cards", "checklists", "labels", "lists", "members"):
            board.setdefault(k, [])
        board["actions"].sort(key=lambda a: (a.get("date") or "", _id_key(a.get("id", ""))), reverse=True)
        self.boards[board["id"]] = board
        return board

    def _board(self, ref: str) -> dict[str, Any] | None:
        b = self.boards.get(ref)
        if b is None:
            b = next((x for x in self.boards.values() if x.get("shortLink") == ref), None)
        return b

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
            return {"requests": self.requests, "by_path": dict(self.by_path),
                    "by_status": {str(k): v for k, v in self.by_status.items()},
                    "faults": dict(self.faults_injected), "secrets_in_query": self.secrets_in_query,
                    "by_board": dict(self.by_board),
                    "rate_limited": dict(self.limits.exceeded) if self.limits else {}}

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
            now = time.time()
            bref = {"id": b["id"], "name": b.get("name"), "shortLink": b.get("shortLink")}
            member = (b.get("members") or [{"id": new_object_id(0), "username": "fake", "fullName": "Fake"}])[0]
            action: dict[str, Any] = {"id": new_object_id(now), "idMemberCreator": member["id"],
                                      "date": _iso(now), "data": {"board": bref},
                                      "memberCreator": {k: member.get(k) for k in ("id", "username", "fullName")}}
            card = self._card(b, kw.get("card")) if op != "create_card" else None
            cref = ({"id": card["id"], "name": card.get("name"), "idShort": card.get("idShort"),
                     "shortLink": card.get("shortLink")} if card else None)
            if op == "check_item":
                cl, item = self._check_item(b, kw.get("check_item"), card)
                item["state"] = kw.get("state", "complete" if item.get("state") != "complete" else "incomplete")
                ccard = self._card(b, cl.get("idCard"))
                cref = {"id": ccard["id"], "name": ccard.get("name"), "shortLink": ccard.get("shortLink")}
                action.update(type="updateCheckItemStateOnCard")
                action["data"].update(card=cref, checklist={"id": cl["id"], "name": cl.get("name")},
                                      checkItem={"id": item["id"], "name": item.get("name"),
                                                 "state": item["state"]})
                ccard["dateLastActivity"] = action["date"]
            elif op == "comment":
                action.update(type="commentCard")
                action["data"].update(card=cref, text=kw.get("text", "A new comment"),
                                      list={"id": card.get("idList")})
                card.setdefault("badges", {})["comments"] = card.get("badges", {}).get("comments", 0) + 1
                card["dateLastActivity"] = action["date"]
            elif op == "archive_card":
                card["closed"] = True
                card["dateLastActivity"] = action["date"]
                action.update(type="updateCard")
                action["data"].update(card={**cref, "closed": True}, old={"closed": False},
                                      list={"id": card.get("idList")})
            elif op == "rename_card":
                old = card.get("name")
                card["name"] = kw.get("name", f"{old} (renamed)")
                card["dateLastActivity"] = action["date"]
                action.update(type="updateCard")
                action["data"].update(card={**cref, "name": card["name"]}, old={"name": old})
            elif op == "delete_card":
                b["cards"] = [c for c in b["cards"] if c["id"] != card["id"]]
                b["checklists"] = [cl for cl in b["checklists"] if cl.get("idCard") != card["id"]]
                action.update(type="deleteCard")
                action["data"].update(card={"id": card["id"], "idShort": card.get("idShort"),
                                            "shortLink": card.get("shortLink")},
                                      list={"id": card.get("idList")})
            elif op == "create_card":
                lst = next((x for x in b["lists"] if not x.get("closed")), None) or {"id": new_object_id()}
                new = {"id": action["id"], "name": kw.get("name", "New card"), "idList": lst["id"],
                       "idBoard": b["id"], "closed": False, "desc": "", "idChecklists": [], "idLabels": [],
                       "idMembers": [], "pos": 1e9, "due": None, "dateLastActivity": action["date"],
                       "shortLink": action["id"][-8:], "idShort": len(b["cards"]) + 1,
                       "badges": {"comments": 0}}
                b["cards"].append(new)
                action.update(type="createCard")
                action["data"].update(card={"id": new["id"], "name": new["name"]}, list={"id": lst["id"]})
            else:
                raise ValueError(f"unknown mutation {op!r}")
            b["actions"].insert(0, action)
            b["dateLastActivity"] = action["date"]
            return action

    def _card(self, b: dict[str, Any], ref: str | None) -> dict[str, Any]:
        cards = b["cards"]
        if ref is None:
            open_cards = [c for c in cards if not c.get("closed")]
            if not open_cards:
                raise KeyError("no open card")
            return open_cards[0]
        for c in cards:
            if c["id"] == ref or c.get("shortLink") == ref or c.get("name") == ref:
                return c
        raise KeyError(f"no card {ref}")

    def _check_item(self, b: dict[str, Any], ref: str | None, card: dict[str, Any] | None
                    ) -> tuple[dict[str, Any], dict[str, Any]]:
        for cl in b["checklists"]:
            for item in cl.get("checkItems") or []:
                if ref is None or item["id"] == ref or item.get("name") == ref:
                    return cl, item
        raise KeyError(f"no check item {ref}")

    # ---- request handling ------------------------------------------------------------------------------
    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        """Answer one request: (status, JSON-able body); raises _Fault('drop') to cut the connection."""
        status, payload, _ = self.respond(method, raw_path, headers, body)
        return status, payload

    def respond(self, method: str, raw_path: str, headers: dict[str, str], body: bytes
                ) -> tuple[int, Any, dict[str, str]]:
        """Answer one request: (status, JSON-able body or text, headers); raises _Fault('drop')."""
        extra: dict[str, str] = dict(self.headers)
        status, payload = self._answer(method, raw_path, headers, body, extra)
        return status, payload, extra

    def _answer(self, method: str, raw_path: str, headers: dict[str, str], body: bytes,
                extra: dict[str, str]) -> tuple[int, Any]:
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
            self.log.append({"method": method, "path": path, "query": q})
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
            if not m or m.group(1) != (self.key or m.group(1)) or m.group(2) != (self.token or m.group(2)):
                return 401, "invalid token"
        if method != "GET":
            return 404, "Cannot " + method
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

    def _route(self, path: str, q: dict[str, str]) -> tuple[int, Any]:
        seg = path.split("/")[1:]
        if not seg or seg[0] != "1":
            return 404, "not found"
        seg = seg[1:]
        if seg[:3] == ["members", "me", "boards"]:
            return 200, [self._fields(b, q.get("fields", "all")) for b in self.boards.values()]
        if seg and seg[0] == "boards" and len(seg) >= 2:
            b = self._board(seg[1])
            if b is None:
                return 404, "The requested resource was not found."
            rest = seg[2:]
            if not rest:
                self.by_board[b["id"]] += 1
            if b.get("_forbidden"):
                return 403, "unauthorized permission requested"
            if b.get("_status"):
                return int(b["_status"]), {"message": "injected failure"}
            if not rest:
                return self._nested_board(b, q)
            if rest[0] == "cards":
                return self._cards(b, q, rest[1] if len(rest) > 1 else q.get("filter", "visible"))
            if rest == ["actions"]:
                return 200, self._actions(b["actions"], q.get("limit", "50"), q.get("before"), q.get("since"),
                                          q.get("filter", "all"))
            if rest == ["checklists"]:
                return 200, b["checklists"]
            if rest == ["lists"]:
                return 200, self._filter_closed(b["lists"], q.get("filter", "open"))
            if rest == ["labels"]:
                return 200, b["labels"][: int(q.get("limit", "50"))]
            if rest == ["members"]:
                return 200, b["members"]
            return 404, "not found"
        if seg and seg[0] == "cards" and len(seg) >= 2:
            for b in self.boards.values():
                for c in b["cards"]:
                    if c["id"] == seg[1] or c.get("shortLink") == seg[1]:
                        if len(seg) == 2:
                            return 200, c
                        if seg[2] == "checklists":
                            return 200, [cl for cl in b["checklists"] if cl.get("idCard") == c["id"]]
                        if seg[2] == "actions":
                            acts = [a for a in b["actions"] if (a.get("data", {}).get("card") or {}).get("id")
                                    == c["id"]]
                            return 200, self._actions(acts, q.get("limit", "50"), None, None,
                                                      q.get("filter", "commentCard"))
            return 404, "The requested resource was not found."
        return 404, "not found"

    @staticmethod
    def _fields(obj: dict[str, Any], fields: str) -> dict[str, Any]:
        if fields == "all":
            return {k: v for k, v in obj.items() if k not in NESTED_KEYS and not k.startswith("_")}
        wanted = {f.strip() for f in fields.split(",")} | {"id"}
        return {k: v for k, v in obj.items() if k in wanted}

    @staticmethod
    def _filter_closed(items: list[dict[str, Any]], flt: str) -> list[dict[str, Any]]:
        if flt in ("open", "visible"):
            return [x for x in items if not x.get("closed")]
        if flt == "closed":
            return [x for x in items if x.get("closed")]
        if flt == "none":
            return []
        return list(items)

    @staticmethod
    def _actions(actions: list[dict[str, Any]], limit: str, before: str | None, since: str | None,
                 flt: str) -> list[dict[str, Any]]:
        n = min(int(float(limit)), 1000)
        types = None if flt in ("all", "") else set(flt.split(","))
        out = []
        for a in actions:  # newest first
            if types is not None and a.get("type") not in types:
                continue
            if before and _id_key(a["id"]) >= _id_key(before):
                continue
            if since and _id_key(a["id"]) <= _id_key(since):
                break
            out.append(a)
            if len(out) >= n:
                break
        return out

    def _too_many(self) -> tuple[int, Any]:
        return self.too_many_status, {"message": "Requested too many cards, please use paging",
                                      "error": "API_TOO_MANY_CARDS_REQUESTED"}

    def _cards(self, b: dict[str, Any], q: dict[str, str], flt: str) -> tuple[int, Any]:
        cards = self._filter_closed(b["cards"], flt)
        if "limit" not in q:
            if len(cards) > self.page_threshold:
                return self._too_many()
            return 200, cards
        limit = min(int(q["limit"]), 1000)
        cards = sorted(cards, key=lambda c: _id_key(c["id"]), reverse=True)
        if q.get("before"):
            cards = [c for c in cards if _id_key(c["id"]) < _id_key(q["before"])]
        if q.get("since"):
            cards = [c for c in cards if _id_key(c["id"]) > _id_key(q["since"])]
        return 200, cards[:limit]

    def _nested_board(self, b: dict[str, Any], q: dict[str, str]) -> tuple[int, Any]:
        out = self._fields(b, q.get("fields", "all"))
        cards_f = q.get("cards", "none")
        if cards_f != "none":
            cards = self._filter_closed(b["cards"], cards_f)
            if len(cards) > self.page_threshold:
                return self._too_many()
            out["cards"] = cards
        if q.get("checklists", "none") != "none":
            out["checklists"] = b["checklists"]
        if q.get("lists", "none") != "none":
            out["lists"] = self._filter_closed(b["lists"], q.get("lists", "open"))
        if q.get("labels", "none") != "none":
            out["labels"] = b["labels"][: int(q.get("labels_limit", "50"))]
        if q.get("members", "none") != "none":
            out["members"] = b["members"]
        if q.get("customFields") == "true":
            out["customFields"] = b.get("customFields", [])
        if q.get("actions", "all") != "none" and "actions" in q:
            # Like Trello: nested actions_before is ignored; actions_since is honoured.
            out["actions"] = self._actions(b["actions"], q.get("actions_limit", "50"), None,
                                           q.get("actions_since"), q.get("actions", "all"))
        return 200, out


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or give up hang up mid-answer; that is expected here, not an error.
        exc = sys.exc_info()[1]
        if not isinstance(exc, (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeTrello
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: avoid 40 ms delayed-ACK stalls

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            status, payload, headers = self.fake.respond(method, self.path, dict(self.headers.items()), body)
        except _Fault:
            # A dropped connection: promise a body, send half of nothing, hang up.
            try:
                self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n[")
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.close_connection = True
            return
        is_json = isinstance(payload, _Json) or not isinstance(payload, str)
        data = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
        with self.fake.lock:
            self.fake.by_status[status] += 1
        self.send_response(status)
        ctype = "application/json" if is_json else "text/plain"
        self.send_header("Content-Type", f"{ctype}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.fake.trickle > 0:
            for i in range(len(data)):
                self.wfile.write(data[i:i + 1])
                self.wfile.flush()
                time.sleep(self.fake.trickle)
            return
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._serve("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._serve("DELETE")


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
    p = argparse.ArgumentParser(prog="python -m trellosync.testing.fake_trello", description=__doc__.split("\n")[0])
    p.add_argument("--export", action="append", default=[], help="board export JSON (repeatable)")
    p.add_argument("--synthesize", type=int, action="append", default=[], metavar="N",
                   help="also serve a synthetic board of N cards (repeatable)")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--key")
    p.add_argument("--token")
    p.add_argument("--faults", type=_parse_faults, default={})
    p.add_argument("--seed", type=int)
    p.add_argument("--page-threshold", type=int, default=1000)
    args = p.parse_args(argv)
    fake = FakeTrello(args.export, key=args.key, token=args.token, faults=args.faults, seed=args.seed,
                      page_threshold=args.page_threshold, port=args.port)
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
