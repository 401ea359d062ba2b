"""The right of reply on stakeholder feedback: one rule with the lunch entries', shown beside the quote in every
document that quotes the feedback (dossier, advocate brief, showcase, the report JSON, the subject-access
export), never evidence and never a stakeholder's voice."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pypdf
import pytest
from boardbuilder import Board

from trellosync.config.settings import parse_config
from trellosync.report.documents import ReportOptions, build_context, context_as_json, render_report_html
from trellosync.report.subject_access import export_files
from trellosync.store.rights import subject_record
from trellosync.sync.pipeline import ingest_board

CONFIG = """
people:
  will: {name: Will Smith, trello: willsmith}
  jessica: {name: Jessica Jones, trello: jessjones}
  pete: {name: Pete Brown, trello: petebrown}
  amara: {name: Amara Okafor, trello: amaraokafor}
boards:
  - board: 'Feedback: Will'
    subjects: [will]
    stakeholder_feedback: {}
"""
MEMBERS = (
    ("willsmith", "Will Smith"),
    ("jessjones", "Jessica Jones"),
    ("petebrown", "Pete Brown"),
    ("amaraokafor", "Amara Okafor"),
)
FIRST = "Ran the design review calmly and kept it to the point."
SECOND = "Rewrote the onboarding guide so new joiners ship in their first week."
CONCERN = "the incident write-up came two weeks late"
WILL_ON_SECOND = "Amara wrote half of it; the credit is hers too"
WILL_ON_CONCERN = "the write-up waited on the vendor's root cause"
AMARA = "I was there, and the notes were excellent as well"
LUNCH_REPLY = "it was Jessica's plan, I only ran it"
OPTIONS = ReportOptions(report_date=date(2026, 3, 31))


def feedback_board() -> Board:
    b = Board("Feedback: Will", members=MEMBERS)
    card = b.card(
        "Stakeholder feedback", "Q1 feedback", created="2026-02-02", desc=f"From: Pete\npraise: {FIRST}"
    )
    b.comment(card, f"praise: {SECOND} #share", "2026-02-05T10:00", by="jessjones")  # for the showcase
    # Will names the second piece by its first words; Amara's `reply:` is nobody's reply and no feedback
    b.comment(
        card, f'reply: "Rewrote the onboarding guide" {WILL_ON_SECOND}', "2026-02-10T10:00", by="willsmith"
    )
    b.comment(card, f'reply: "Ran the design review" {AMARA}', "2026-02-11T10:00", by="amaraokafor")
    # a card with one piece: the reply needs no naming
    review = b.card("Stakeholder feedback", "Incident review", created="2026-02-12")
    b.comment(review, f"concern: {CONCERN}", "2026-02-13T10:00", by="jessjones")
    b.comment(review, f"reply: {WILL_ON_CONCERN}", "2026-02-16T10:00", by="willsmith")
    # a lunch entry's reply, for the wording: the same in both places
    lunch = b.card("Lunches", "2026-02-18 lunch", due="2026-02-18", members=("willsmith", "jessjones"))
    b.checklist(lunch, "Best moment - Will", ["Shipped the new importer on time"])
    b.comment(lunch, f"reply: {LUNCH_REPLY}", "2026-02-19T10:00", by="willsmith")
    return b


@pytest.fixture
def domain(sqlite_store):
    ingest_board(sqlite_store, feedback_board().data, parse_config(CONFIG))
    return sqlite_store.load_domain()


def _by_text(domain, start: str):
    return next(s for s in domain.practices.stakeholder_feedback if s.text.startswith(start))


def test_the_subjects_reply_answers_the_piece_it_names_and_is_no_feedback(domain) -> None:
    first, second, concern = (_by_text(domain, x[:20]) for x in (FIRST, SECOND, CONCERN))
    replies = {r.entry_id: (r.by, r.text, r.date) for r in domain.replies}
    assert replies[second.id] == ("will", WILL_ON_SECOND, date(2026, 2, 10))
    assert replies[concern.id] == ("will", WILL_ON_CONCERN, date(2026, 2, 16))
    assert first.id not in replies  # Amara named it, but she is not whom it is about
    assert len(replies) == 4 - 1  # and the lunch entry's; Amara's `reply:` answers nothing
    # never feedback, never a stakeholder: three pieces, from Pete, Jessica and Jessica
    assert sorted((s.said_by, s.polarity) for s in domain.practices.stakeholder_feedback) == [
        ("jessica", "concern"),
        ("jessica", "praise"),
        ("pete", "praise"),
    ]
    words = " ".join(s.text for s in domain.practices.stakeholder_feedback) + " ".join(
        f.text for f in domain.feedback
    )
    assert not any(x in words for x in (WILL_ON_SECOND, WILL_ON_CONCERN, AMARA, LUNCH_REPLY, "reply:"))


def _texts(value: object, key: str = "") -> list[str]:
    """Every `text` of a report's JSON, except those of replies."""
    if key == "reply":
        return []
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in _texts(v, k)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v, key)]
    return [value] if key == "text" and isinstance(value, str) else []


def _quote_block(html: str, quote: str) -> str:
    """The stakeholder block (or listed line) that quotes `quote`, with what follows it up to the next one."""
    start = html.index(quote[:30])
    ends = [i for i in (html.find('class="stake ', start), html.find('class="listed"', start)) if i > 0]
    return html[start : min(ends) if ends else len(html)]


def test_the_dossier_shows_the_reply_beside_the_right_quote_and_never_counts_it(domain) -> None:
    ctx = build_context("dossier", "will", domain, period_from=date(2026, 1, 1), options=OPTIONS)
    html, _ = render_report_html(ctx, OPTIONS, for_pdf=False)
    stakeholders = html[html.index('id="stakeholders"') : html.index('id="concerns"')]
    assert "Will Smith replied, 10 Feb 2026:" in _quote_block(stakeholders, SECOND)
    assert WILL_ON_SECOND in _quote_block(stakeholders, SECOND)
    assert "replied" not in _quote_block(stakeholders, FIRST)
    assert AMARA not in html and "Amara Okafor" not in html  # no reply, no stakeholder, not named
    # the lunch entry's reply reads the same way
    assert f"Will Smith replied, 19 Feb 2026:</span> {LUNCH_REPLY}" in html
    # never evidence: no observer, and no quoted text in the JSON but under a `reply`
    data = json.loads(context_as_json(ctx))
    assert data["observers"] == 0
    quoted = _texts(data)
    assert SECOND in quoted and not any(x in q for q in quoted for x in (WILL_ON_SECOND, LUNCH_REPLY, AMARA))
    [second] = [s for s in data["practices"]["praise"] if s["text"].startswith(SECOND[:20])]
    assert second["reply"] == {"text": WILL_ON_SECOND, "date": "2026-02-10", "by": "Will Smith"}
    assert [s["reply"] for s in data["practices"]["praise"] if s["text"].startswith(FIRST[:20])] == [None]


def test_the_advocate_brief_shows_each_reply_beside_its_quote(domain) -> None:
    ctx = build_context("advocate", "will", domain, period_from=date(2026, 1, 1), options=OPTIONS)
    html, _ = render_report_html(ctx, OPTIONS, for_pdf=False)
    assert "Will Smith replied, 10 Feb 2026:" in _quote_block(html, SECOND)
    assert "replied" not in _quote_block(html, FIRST)
    # the concern is quoted twice (its chapter and "Not answered yet"): the reply is beside both
    assert html.count(CONCERN) == 2 and html.count("Will Smith replied, 16 Feb 2026:") == 2
    assert AMARA not in html
    data = json.loads(context_as_json(ctx))
    assert [s["reply"]["text"] for s in data["other"]] == [WILL_ON_CONCERN]
    assert {s["text"][:20]: s["reply"] and s["reply"]["text"] for s in data["praise"]} == {
        FIRST[:20]: None,
        SECOND[:20]: WILL_ON_SECOND,
    }
    # a reply dated after the report's as-of date is not shown
    early = build_context(
        "advocate",
        "will",
        domain,
        period_from=date(2026, 1, 1),
        options=ReportOptions(report_date=date(2026, 2, 9)),
    )
    assert WILL_ON_SECOND not in context_as_json(early)


def test_the_showcase_shows_the_reply_beside_shared_praise(domain) -> None:
    options = ReportOptions(report_date=date(2026, 3, 31), people=("will",))
    ctx = build_context("showcase", "will", domain, period_from=date(2026, 1, 1), options=options)
    html, _ = render_report_html(ctx, options, for_pdf=False)
    assert FIRST[:20] not in html  # not marked shareable
    start = html.index(SECOND[:30])
    end = html.find('class="evidence ', start)
    assert "Will Smith replied, 10 Feb 2026:" in html[start : end if end > 0 else len(html)]
    [praise] = json.loads(context_as_json(ctx))["people"][0]["praise"]
    assert (praise["text"], praise["reply"]["text"], praise["voice"]) == (SECOND, WILL_ON_SECOND, "peer")


def test_the_subject_access_export_carries_the_reply(sqlite_store, tmp_path: Path) -> None:
    ingest_board(sqlite_store, feedback_board().data, parse_config(CONFIG))
    record = subject_record(sqlite_store.engine, "will")
    about = {s["text"][:20]: s["reply"] for s in record["stakeholder_feedback_about"]}
    assert about[SECOND[:20]]["text"] == WILL_ON_SECOND and about[FIRST[:20]] is None
    assert about[CONCERN[:20]]["text"] == WILL_ON_CONCERN
    assert sorted(r["text"] for r in record["replies_by"]) == sorted(
        [WILL_ON_SECOND, WILL_ON_CONCERN, LUNCH_REPLY]
    )
    # the stakeholder's own export shows the subject's reply beside what they said
    jessica = subject_record(sqlite_store.engine, "jessica")
    given = {s["text"][:20]: s["reply"] and s["reply"]["text"] for s in jessica["stakeholder_feedback_by"]}
    assert given == {SECOND[:20]: WILL_ON_SECOND, CONCERN[:20]: WILL_ON_CONCERN}
    # Amara's `reply:` is a comment she wrote: in her export, in no one's feedback
    amara = subject_record(sqlite_store.engine, "amara")
    assert [c["text"] for c in amara["comments_written"]] == [f'reply: "Ran the design review" {AMARA}']
    assert amara["replies_by"] == [] and amara["stakeholder_feedback_by"] == []
    _json_path, pdf_path = export_files(record, tmp_path / "sar")
    text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(pdf_path).pages).split())
    assert re.search(r"Rewrote the onboarding guide.{0,120}Reply, 2026-02-10: Amara wrote half", text, re.S)


@pytest.mark.slow
def test_the_dossier_pdf_prints_the_reply_under_the_quote(domain, tmp_path: Path) -> None:
    from trellosync.report.documents import render_report

    out = render_report(
        "dossier", "will", domain, period_from=date(2026, 1, 1), options=OPTIONS, out=tmp_path / "d.pdf"
    )
    pages = [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(out).pages]
    [page] = [p for p in pages if "Will Smith replied, 10 Feb 2026:" in p]
    assert (
        page.index(SECOND[:30])
        < page.index("Will Smith replied, 10 Feb 2026:")
        < page.index("credit is hers")
    )


def test_retention_and_erasure_keep_a_reply_exactly_while_its_feedback_is_kept() -> None:
    from trellosync.domain.derive import build_domain
    from trellosync.domain.derive_practices import build_practices
    from trellosync.domain.rights import retain_since, without_people
    from trellosync.mirror.normalize import normalize_board

    config = parse_config(CONFIG)
    rows = normalize_board(feedback_board().data)
    mapping = config.mapping_for(feedback_board().data)

    def derived():
        domain = build_domain(rows, mapping, config.people, tz="UTC")
        practices, _, replies = build_practices(rows, mapping, config.people, domain, tz="UTC")
        domain.replies += replies
        return domain, practices

    domain, practices = derived()
    retain_since(domain, practices, date(2026, 2, 4))  # the card's own piece (2 Feb) goes, the comments stay
    assert sorted(r.text for r in domain.replies) == sorted([WILL_ON_SECOND, WILL_ON_CONCERN, LUNCH_REPLY])
    retain_since(domain, practices, date(2026, 2, 6))  # the second piece (5 Feb) goes, and its reply (10 Feb)
    assert sorted(r.text for r in domain.replies) == sorted([WILL_ON_CONCERN, LUNCH_REPLY])
    domain, practices = derived()
    without_people(domain, practices, {"jessica"})  # her words about Will stay, so do Will's replies
    assert len(domain.replies) == 3
    without_people(domain, practices, {"will"})
    assert domain.replies == [] and practices.stakeholder_feedback == []


def test_a_reply_does_not_take_the_place_of_a_feedback_card_named_with_its_words(sqlite_store) -> None:
    b = Board("Feedback: Will", members=MEMBERS)
    card = b.card("Stakeholder feedback", "The roadmap talk was vague", created="2026-02-02")
    b.comment(card, "reply: I had ten minutes for a quarter's roadmap", "2026-02-03T10:00", by="willsmith")
    ingest_board(sqlite_store, b.data, parse_config(CONFIG))
    d = sqlite_store.load_domain()
    [piece] = d.practices.stakeholder_feedback
    assert (piece.text, piece.said_by) == ("The roadmap talk was vague", None)
    assert [(r.entry_id, r.text) for r in d.replies] == [
        (piece.id, "I had ten minutes for a quarter's roadmap")
    ]


def test_the_subjects_own_praise_on_their_feedback_board_is_no_stakeholders_voice(sqlite_store) -> None:
    """Will marking his own comment `praise: #share ...` does not make it stakeholder praise in the dossier or
    the showcase; a `From:` line naming someone else does."""
    b = Board("Feedback: Will", members=MEMBERS)
    card = b.card("Stakeholder feedback", "Q1", created="2026-02-02", desc="From: Will\npraise: SELF1 my own")
    b.comment(card, "praise: #share SELF2 reply: nice work by me", "2026-02-05T10:00", by="willsmith")
    b.comment(card, "From: Pete\npraise: LOGGED for Pete", "2026-02-06T10:00", by="willsmith")
    ingest_board(sqlite_store, b.data, parse_config(CONFIG))
    domain = sqlite_store.load_domain()
    pieces = [(s.said_by, s.text) for s in domain.practices.stakeholder_feedback]
    assert pieces == [("pete", "LOGGED for Pete")]
    for kind, options in (
        ("dossier", OPTIONS),
        ("showcase", ReportOptions(report_date=date(2026, 3, 31), people=("will",))),
    ):
        ctx = build_context(kind, "will", domain, period_from=date(2026, 1, 1), options=options)
        html, _ = render_report_html(ctx, options, for_pdf=False)
        assert "SELF1" not in html and "SELF2" not in html and "SELF" not in context_as_json(ctx)
