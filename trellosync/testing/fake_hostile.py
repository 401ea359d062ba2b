"""Hostile answers the fake Trello can serve on request: an endless chunked body, a gzip bomb.

Real Trello never sends these; a server that wishes us harm (or a broken proxy) can. Each stops by itself:
the endless body after `ENDLESS_SECONDS` or when the client hangs up.
"""

from __future__ import annotations

import time
import zlib
from functools import lru_cache
from typing import Any

ENDLESS_SECONDS = 120.0
HOSTILE_KINDS = ("endless", "gzip_bomb")


@lru_cache(maxsize=4)
def gzip_bomb(expanded: int) -> bytes:
    """A gzip body of a JSON array padded with `expanded` bytes of spaces (about 1,000 times smaller)."""
    c = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = b" " * (1 << 20)
    parts = [c.compress(b"[")]
    left = expanded
    while left > 0:
        parts.append(c.compress(block[: min(left, len(block))]))
        left -= len(block)
    parts.append(c.compress(b"]"))
    parts.append(c.flush())
    return b"".join(parts)


def serve_hostile(handler: Any, kind: str, bomb_bytes: int) -> None:
    """Write a hostile 200 answer on a BaseHTTPRequestHandler, then close the connection."""
    handler.close_connection = True
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json; charset=utf-8")
    if kind == "gzip_bomb":
        body = gzip_bomb(bomb_bytes)
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
        return
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    piece = b'{"id": "0", "name": "' + b"x" * 65000 + b'"},'
    chunk = b"%x\r\n%s\r\n" % (len(piece), piece)
    handler.wfile.write(b"1\r\n[\r\n")
    stop = time.monotonic() + ENDLESS_SECONDS
    try:
        while time.monotonic() < stop:
            handler.wfile.write(chunk)
    except OSError:  # the client hung up: what a bounded reader does
        pass
