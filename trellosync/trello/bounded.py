"""Answers read with a byte cap, compressed and expanded: no server can make a sync hold more than the cap.

`requests` reads a whole body into memory (an endless chunked answer grows without end) and urllib3 inflates
gzip without a ratio check (a 3 MB body can expand to 3 GB). Here the raw bytes are read in chunks with a
running count and inflated by zlib with an output cap, and the answer is refused once either count passes.
"""

from __future__ import annotations

import zlib
from typing import Any

from trellosync.errors import TrelloAPIError

MAX_ANSWER_BYTES = (
    100 * 1024 * 1024
)  # as an export file (mirror/validate.py); a 1,000-card nested board is ~3 MiB
CHUNK = 64 * 1024
ACCEPT_ENCODING = "gzip, deflate"  # only what zlib inflates under a cap (never br or zstd)


class AnswerTooLarge(TrelloAPIError):
    """An answer passed the byte cap (as sent or once inflated): refused, never retried."""


def _inflater(encoding: str, what: str) -> Any:
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip", "deflate"):
        return zlib.decompressobj(zlib.MAX_WBITS | 32)  # gzip or zlib header, detected
    raise TrelloAPIError(f"{what}: answer in an encoding trellosync does not read ({encoding[:40]!r})")


def read_capped(response: Any, what: str, limit: int = MAX_ANSWER_BYTES) -> bytes:
    """The body of a streamed `requests` response, at most `limit` bytes as sent and as inflated."""
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    inflater = _inflater(encoding, what)
    sent = 0
    parts: list[bytes] = []
    size = 0
    mib = limit / (1024 * 1024)
    for chunk in response.raw.stream(CHUNK, decode_content=False):
        sent += len(chunk)
        if sent > limit:
            response.close()
            raise AnswerTooLarge(f"{what}: the answer passed {mib:g} MiB as sent; refused unread")
        while chunk and inflater is not None:
            try:
                out = inflater.decompress(chunk, limit - size + 1)
            except zlib.error:
                response.close()
                raise TrelloAPIError(f"{what}: the answer's {encoding} body is corrupt") from None
            size += len(out)
            if size > limit:
                response.close()
                raise AnswerTooLarge(
                    f"{what}: the answer passed {mib:g} MiB once inflated ({sent:,} bytes as sent); refused"
                )
            parts.append(out)
            chunk = inflater.unconsumed_tail
            if inflater.eof and inflater.unused_data:  # a further gzip member
                chunk, inflater = inflater.unused_data, _inflater(encoding, what)
        if inflater is None:
            size += len(chunk)
            parts.append(chunk)
    if inflater is not None:
        rest = inflater.flush()
        size += len(rest)
        if size > limit:
            raise AnswerTooLarge(f"{what}: the answer passed {mib:g} MiB once inflated; refused")
        parts.append(rest)
    return b"".join(parts)
