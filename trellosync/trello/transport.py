"""Sockets that a deadline or a cancel can cut: an overall deadline per request, and Ctrl-C that works.

`requests`' timeout bounds each socket read, so a server that sends a byte every few seconds keeps a request
alive for ever; urllib3 has no overall deadline either. Connections made through `DeadlineAdapter` report
their socket to the request in flight on their thread, and `Call.kill` shuts it down.
"""

from __future__ import annotations

import socket
import threading
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_current = threading.local()


class Call:
    """One request in flight: its socket, and whether it was cut short (deadline or cancel)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self.killed: str | None = None  # "deadline" | "cancel"

    def attach(self, sock: socket.socket | None) -> None:
        """Note the socket this call reads from (cut at once when the call is already killed)."""
        with self._lock:
            self._sock = sock
            if self.killed and sock is not None:
                _shutdown(sock)

    def kill(self, why: str) -> None:
        """Cut the call's connection: any blocked read fails immediately."""
        with self._lock:
            if self.killed is None:
                self.killed = why
            if self._sock is not None:
                _shutdown(self._sock)

    def __enter__(self) -> Call:
        _current.call = self
        return self

    def __exit__(self, *exc: object) -> None:
        _current.call = None


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _note(sock: Any) -> None:
    call = getattr(_current, "call", None)
    if call is not None:
        call.attach(sock)


class _Tracked:
    # A mixin for http.client's connection classes: super() is the HTTP(S)Connection it is mixed into,
    # which mypy cannot see, hence the two ignores below.
    sock: Any

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        _note(self.sock)

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _note(self.sock)  # a kept-alive connection is reused without connect()
        return super().getresponse(*args, **kwargs)  # type: ignore[misc]


class _HTTPConnection(_Tracked, HTTPConnection):
    pass


class _HTTPSConnection(_Tracked, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class DeadlineAdapter(HTTPAdapter):
    """An HTTPAdapter whose connections can be cut by `Call.kill`."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """Set up the pool manager with tracked connection classes."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
