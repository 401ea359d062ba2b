"""The fake Trello's HTTP plumbing: a threading server on loopback and a handler that writes its answers."""

from __future__ import annotations

import json
import socket
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from trellosync.testing.fake_hostile import serve_hostile


class _Fault(Exception):
    pass


class _Json(str):
    """Already-serialized JSON text."""


class Hostile:
    """A hostile answer to write instead of the normal one (fake_hostile.py)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or give up hang up mid-answer; that is expected here, not an error.
        exc = sys.exc_info()[1]
        if not isinstance(exc, (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    fake: Any  # the FakeTrello serving (respond(), lock, by_status, trickle)
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
            self._drop()
            return
        if isinstance(payload, Hostile):
            serve_hostile(self, payload.kind, self.fake.bomb_bytes)
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
                self.wfile.write(data[i : i + 1])
                self.wfile.flush()
                time.sleep(self.fake.trickle)
            return
        self.wfile.write(data)

    def _drop(self) -> None:
        """A dropped connection: promise a body, send half of nothing, hang up."""
        try:
            self.wfile.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n["
            )
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.close_connection = True

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._serve("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._serve("PUT")

    def do_DELETE(self) -> None:  # noqa: N802
        self._serve("DELETE")
