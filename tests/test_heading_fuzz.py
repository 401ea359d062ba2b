"""Fuzz: worst moments written under 200 generated heading forms never reach a dossier or the showcase.

Each form is a heading, known or not (case, punctuation, emoji, width, HTML, tables, setext, long and short),
placed after a best moment. The text under it is either a worst moment (the heading says so in the mapping's
words) or no evidence at all; it is never a strength, never shareable, and it is counted as left out.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from boardbuilder import Board

from trellosync.config.settings import parse_config
from trellosync.domain.people import People
from trellosync.domain.sections import read_description
from trellosync.domain.unread import unread_text
from trellosync.mirror.normalize import normalize_board
from trellosync.report.documents import ReportOptions, build_context, context_as_json
from trellosync.store.db import Store
from trellosync.sync.pipeline import ingest_board

KINDS = {
    "best": ["Best moment"],
    "worst": ["Worst moment"],
    "focus": ["Focus"],
    "commitments": ["Commitments"],
}

TITLES = [
    "Worst moment",
    "worst moment",
    "WORST MOMENT",
    "Worst Moment",
    "Worst-moment",
    "Worst moment (Will)",
    "Worst moment of the sprint, honestly",
    "Worst moment (for Will)",
    "What went badly",
    "Worst moment for Jess",
    "Worst moment of the week, honestly",
    "Worst moments were",
    "Lowlights",
    "Low point",
    "Not so great",
    "Private",
    "Meh",
    "Ugh",
    "Could have gone better",
    "Worst moment – Will, honestly",
    "Things I would rather forget",
    "Ｗｏｒｓｔ ｍｏｍｅｎｔ",
    "Worst\u00a0moment",
    "Wor\u200bst moment",
    "Bad",
    "Notes",
    "Best-ish moment",
    "What went badly this sprint if I am completely honest with everyone here",
]
SEPARATORS = [":", ";", " -", " –", " —", " ->", " →", " =", " =>", "...", "…", "：", "?", " :", "::"]
EMOJI = ["😬 ", "⚠️ ", "🔥", "👎 ", "★ ", "➤ "]


def _styles(title: str, sep: str, emoji: str) -> list[str]:
    """Every way of writing one title as a heading."""
    return [
        f"### {title}",
        f"# {title} #",
        f"###### {emoji}{title}",
        f"{title}\n{'=' * 12}",
        f"{title}\n---",
        f"**{title}**",
        f"**{title}{sep}**",
        f"__{title}__",
        f"*{title}*",
        f"_{title}{sep}_",
        f"{title}{sep}",
        f"{emoji}{title}{sep}",
        f"{title} {emoji.strip()}{sep}",
        f"{emoji}{title}",
        f"<h3>{title}</h3>",
        f"<h1 class='x'>{emoji}{title}</h1>",
        f"<b>{title}</b>",
        f"<strong>{title}{sep}</strong>",
        f"| {title} | |",
        f"| {title} |",
        f"|{title}|WORSTINLINE snapped #share|",
        f"{title} | WORSTINLINE #share |",
        f"- {title}{sep}",
        f"* **{title}**",
        f"> {title}{sep}",
        f"1. {title}{sep}",
        f"> **{title}**",
        f"{title}{sep} WORSTINLINE snapped at a colleague #share",
        f"**{title}{sep}** WORSTINLINE snapped #share",
        f"## {title}{sep} WORSTINLINE snapped #share",
        f"{title.upper()}{sep}",
        f"{title.lower()}{sep}",
    ]


def heading_forms(n: int = 200, seed: int = 19) -> list[str]:
    """`n` distinct heading forms, drawn reproducibly from titles x styles x separators x emoji."""
    rng = random.Random(seed)
    pool = sorted(
        {
            form
            for title in TITLES
            for sep in SEPARATORS
            for emoji in EMOJI[:2]
            for form in _styles(title, sep, emoji)
        }
    )
    picked = rng.sample(pool, n - len(TITLES))
    # every title at least once, in the form most likely to be read as text
    return [f"{t}:" if i % 2 else f"**{t}**" for i, t in enumerate(TITLES)] + picked


FORMS = heading_forms()


class _People:
    def prefix(self, text: str) -> tuple[str | None, str]:
        return None, text.strip()

    def in_title(self, title: str) -> str | None:
        return None

    def name(self, token: str) -> str | None:
        return {"will": "will", "jess": "jessica"}.get(token.strip().lower())


def _desc(form: str, n: int) -> str:
    return (
        f"Best moment (Will):\nPRAISE{n} demoed search #share\n{form}\nWORST{n}a snapped at a colleague #share\n"
        f"- WORST{n}b missed the review #share\n\nWORST{n}c with more #share\n"
    )


def test_two_hundred_distinct_forms() -> None:
    assert len(FORMS) == len(set(FORMS)) == 200


@pytest.mark.parametrize("n", range(len(FORMS)))
def test_text_under_any_heading_form_is_a_worst_moment_or_no_evidence(n: int) -> None:
    form = FORMS[n].replace("WORSTINLINE", f"WORST{n}i")
    got = read_description(_desc(form, n), KINDS, _People())
    assert ("best", "will", f"PRAISE{n} demoed search #share") in got.entries, (form, got)
    leaked = [e for e in got.entries if e[0] != "worst" and "WORST" in e[2]]
    assert leaked == [], (form, got)
    worst = [e for e in got.entries if e[0] == "worst"]
    assert worst or sum(got.left_out.values()) >= 3, (form, got)  # what is not a worst moment is counted


CONFIG = parse_config("""
timezone: UTC
people:
  will: {name: Will Smith, trello: willsmith}
  jessica: {name: Jessica Jones, trello: jessjones, aliases: [Jess]}
boards:
  - board: "Peer lunch: Will & Jessica"
    subjects: [will, jessica]
""")


def _board() -> Board:
    board = Board()
    for n, form in enumerate(FORMS):
        day = date.fromordinal(date(2025, 1, 6).toordinal() + 3 * n)
        board.card(
            "Lunches",
            f"{day.isoformat()} lunch",
            due=day.isoformat(),
            desc=_desc(form.replace("WORSTINLINE", f"WORST{n}i"), n),
            members=("willsmith", "jessjones"),
        )
    return board


@pytest.mark.slow  # ingests 200 cards and builds three reports' data
def test_no_dossier_or_showcase_built_from_them_holds_a_worst_moment(tmp_path: Path) -> None:
    board = _board()
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    try:
        ingest_board(store, board.data, CONFIG)
        domain = store.load_domain()
    finally:
        store.close()
    assert len(domain.lunches) == 200
    assert not [e for e in domain.feedback if "WORST" in e.text and e.kind != "worst"]
    options = ReportOptions(
        report_date=date(2026, 12, 31),
        generated_at=datetime(2026, 12, 31, tzinfo=timezone.utc),
        people=("will", "jessica"),
    )
    built = {
        (kind, p): context_as_json(
            build_context(kind, p, domain, period_from=date(2025, 1, 1), options=options)
        )
        for kind, p in (("dossier", "will"), ("dossier", "jessica"), ("showcase", "will"))
    }
    assert "PRAISE0 demoed search" in built["dossier", "will"]  # the dossier quotes the best moments...
    assert "PRAISE199 demoed search" in built["showcase", "will"]  # ...and the showcase the marked ones:
    assert '"strengths": 200,' in built["showcase", "will"]  # 200 best moments, not one worst moment more
    assert {k: "WORST" in v for k, v in built.items()} == dict.fromkeys(built, False)


def test_the_left_out_lines_are_counted_by_heading() -> None:
    board = _board()
    rows = normalize_board(board.data)
    mapping = CONFIG.mapping_for(board.data)
    unread = unread_text(mapping, CONFIG.people, rows.lists, rows.cards, rows.members, rows.board_id)
    people = People.build(CONFIG.people, rows, {})
    kinds = {
        "best": mapping.feedback.best,
        "worst": mapping.feedback.worst,
        "focus": mapping.feedback.focus,
        "commitments": mapping.feedback.commitments,
    }
    expected = sum(
        sum(read_description(c["description"], kinds, people).left_out.values()) for c in rows.cards
    )
    assert unread.lines == expected > 200
    assert 100 < unread.cards < 200  # the known headings' cards leave nothing out
    assert (
        unread.headings["What went badly"] >= 3
        and unread.headings["Worst moment of the sprint, honestly"] >= 3
    )
    assert str(unread).startswith(
        f"{unread.lines} lines under headings the mapping does not know (or none), on {unread.cards} cards"
    )
