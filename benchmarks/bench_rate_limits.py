"""Header-paced throughput: processes sharing one Trello token against the fake API's real limits.

    python benchmarks/bench_rate_limits.py [--processes 2] [--requests 150]

Each simulated process has its own in-memory throttle (90 requests per 10 s, trellosync's default), so
together they would send more than Trello's 100 per 10 s per token; only Trello's X-Rate-Limit-*
headers, which the fake sends like Trello, can keep them under it. Prints requests, refusals (429) and
requests per second, with the header pacing on and off.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from trellosync.testing.fake_trello import FakeTrello, synthesize_board  # noqa: E402
from trellosync.trello.client import make_client
from trellosync.trello.fetch import get, session_of
from trellosync.trello.pacing import RateLimiter

KEY = "0b" * 16


def run(processes: int, requests: int, reserve: int) -> tuple[int, int, float]:
    """(requests answered 200, requests refused 429, seconds) for `processes` clients sharing a token."""
    board = synthesize_board(2, seed=1)
    token = "tok" + uuid.uuid4().hex
    with FakeTrello([board]) as fake:

        def one() -> None:
            c = make_client(KEY, token, api_url=fake.url, max_retries=10, backoff_base=0.5)
            s = session_of(c)
            s.limiter = RateLimiter(90)  # its own process: nothing shared in memory
            s.header_reserve = reserve
            for _ in range(requests):
                get(c, f"/boards/{board['id']}", {"fields": "name"})

        start = time.monotonic()
        threads = [threading.Thread(target=one) for _ in range(processes)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.monotonic() - start
        by_status = fake.stats()["by_status"]
    return by_status.get("200", 0), by_status.get("429", 0), took


def main() -> None:
    """Print the figures."""
    p = argparse.ArgumentParser()
    p.add_argument("--processes", type=int, default=2)
    p.add_argument("--requests", type=int, default=150)
    args = p.parse_args()
    print(f"{args.processes} processes x {args.requests} requests, one token (Trello: 100 per 10 s)")
    for label, reserve in (("paced by X-Rate-Limit headers", 2), ("own throttle only", -1)):
        ok, refused, took = run(args.processes, args.requests, reserve)
        print(
            f"{label:>32}: {ok} answered, {refused} refused (429), {took:.1f} s, {ok / took:.1f} requests/s"
        )


if __name__ == "__main__":
    main()
