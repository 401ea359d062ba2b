"""The rules written once: Trello timestamps, id order, the sync bookmark, same wording and same issue."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from trellosync.domain.issues import same_issue, same_wording, wording
from trellosync.mirror.ids import aware_utc, bookmark, id_order, id_time, naive_utc, newest, parse_time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-04-04T23:43:41.662Z", datetime(2019, 4, 4, 23, 43, 41, 662000)),
        ("2019-04-05T01:43:41+02:00", datetime(2019, 4, 4, 23, 43, 41)),  # an offset is moved to UTC
        ("2019-04-04T23:43:41", datetime(2019, 4, 4, 23, 43, 41)),  # what the store writes back (naive UTC)
        ("0001-01-01T00:00:00+01:00", None),  # out of range once in UTC: not a date, no OverflowError
        ("yesterday", None),
        ("", None),
        (None, None),
        (12, None),
    ],
)
def test_parse_time(text: object, expected: datetime | None) -> None:
    assert parse_time(text) == expected


def test_naive_and_aware_utc_round_trip() -> None:
    aware = datetime(2026, 3, 1, 12, tzinfo=timezone.utc)
    assert naive_utc(aware) == datetime(2026, 3, 1, 12) and naive_utc(datetime(2026, 3, 1)) == datetime(
        2026, 3, 1
    )
    assert aware_utc(datetime(2026, 3, 1, 12)) == aware


def test_ids_sort_by_creation_time() -> None:
    older, newer = "5ca68d2d0000000000000001", "5ca68d2e0000000000000000"
    assert id_order(older) < id_order(newer) and id_time(older) < id_time(newer)  # type: ignore[operator]
    assert id_order("not-hex") == id_order(None) == -1 < id_order(older)
    assert newest([{"id": newer}, {"id": older}]) == {"id": newer}


def test_bookmark_is_the_greatest_id_even_when_its_date_is_older() -> None:
    """Two meanings of 'newest' used to coexist; the id is what `since` is given, so the id decides."""
    actions = [
        {"id": "5ca68d2e0000000000000002", "date": "2019-04-04T10:00:00.000Z"},
        {"id": "5ca68d2e0000000000000001", "date": "2019-04-04T11:00:00.000Z"},
    ]
    assert bookmark(actions) == ("5ca68d2e0000000000000002", datetime(2019, 4, 4, 10))
    rows = [{**a, "date": parse_time(a["date"])} for a in actions]
    assert bookmark(rows) == bookmark(actions)  # Trello's actions and normalized rows alike
    kept = ("5ca68d2e0000000000000009", datetime(2019, 4, 5))
    assert bookmark(actions, *kept) == kept  # an older batch never moves the bookmark back
    assert bookmark([], None, None) == (None, None)


def test_same_wording_ignores_case_punctuation_and_spacing_in_any_script() -> None:
    assert same_wording("Ask for help after 2 hours!", "ask for help  after 2 HOURS")
    assert not same_wording("Ask for help after 2 hours", "Ask for help after 2 days")
    # Words in any script count: the report's old rule kept only a-z and 0-9, so these two were "the same".
    assert wording("会議で発言する。") == "会議で発言する"
    assert not same_wording("会議で発言する", "コードレビューで教える")
    assert same_wording("👍", " 👍 ") and not same_wording("👍", "👎")


def test_same_issue_falls_back_to_same_wording_for_texts_without_content_words() -> None:
    assert same_issue(
        "Did not ask for help on the bug for 3 days", "Ask for help after 2 hours stuck, not 2 days"
    )
    assert not same_issue("Got buy-in from 3 teams for the shared registry", "Share progress daily")
    assert same_issue("会議で発言する", "会議で発言する。") and not same_issue(
        "会議で発言する", "コードレビュー"
    )
