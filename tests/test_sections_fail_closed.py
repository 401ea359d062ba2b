"""The description-section parser fails closed: no way of writing a worst moment ends up quoted as praise."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from boardbuilder import Board

from trellosync.config.settings import parse_config
from trellosync.domain import People, description_sections
from trellosync.report.documents import ReportOptions, render_report
from trellosync.store.db import Store
from trellosync.sync.pipeline import ingest_board

KINDS = {
    "best": ["Best moment"],
    "worst": ["Worst moment"],
    "focus": ["Focus"],
    "commitments": ["Commitments"],
}

# Every way of writing the heading seen in the attack pass (issue 10), plus NBSP and bold-with-colon.
KNOWN_FORMS = [
    "## Worst moment",
    "**Worst moment**",
    "**Worst moment:**",
    "__Worst moment__",
    "Worst moment:",
    "Worst moment (Will):",
    "Worst moment – Will:",
    "Worst moment - Will",
    "Worst moment — Jess:",
    "Worst moment\n============",
    "Worst moment\n------------",
    "- Worst moment:",
    "* Worst moment:",
    "😬 Worst moment:",
    "😬 **Worst moment**",
    "> Worst moment:",
    "> **Worst moment**",
    "1. Worst moment:",
    "2) Worst moment:",
    "Worst\u00a0moment:",
    "Worst\u00a0moment\u00a0(Will):",
    "WORST MOMENT:",
    "### 😬 Worst moment (Will)",
    "- **Worst moment – Will:**",
]
# Headings the mapping does not name: each must end the best-moment section, not extend it.
UNKNOWN_FORMS = [
    "## Private",
    "Lowlights:",
    "**Low point**",
    "Low point:",
    "😬 Low point:",
    "> Not so good:",
    "1. Lowlight:",
    "- Lowlights:",
    "Not great\n=========",
    "Low\u00a0point:",
    "---",
    "***",
    "Worst moments (private):",
]


class _People:
    def prefix(self, text: str) -> tuple[str | None, str]:
        for name in ("Will", "Jess"):
            if text.strip().startswith(name + ":"):
                return name.lower(), text.split(":", 1)[1].strip()
        return None, text.strip()

    def in_title(self, title: str) -> str | None:
        return next((n.lower() for n in ("Will", "Jess") if n in title), None)

    def name(self, token: str) -> str | None:
        return token.strip().lower() if token.strip().lower() in ("will", "jess") else None


def _desc(form: str, n: int = 0) -> str:
    return (
        f"Best moment (Will):\nPRAISE{n} demoed search\n{form}\nWORSTTEXT{n} snapped at a colleague\n"
        f"- WORSTTEXT{n}b missed the review\n\nwith more WORSTTEXT{n}c\n"
    )


@pytest.mark.parametrize("form", KNOWN_FORMS)
def test_every_common_heading_form_is_recognised(form: str) -> None:
    got = description_sections(_desc(form), KINDS, _People())
    assert ("best", "will", "PRAISE0 demoed search") in got
    worst = [text for kind, _, text in got if kind == "worst"]
    assert len(worst) == 3 and all("WORSTTEXT" in t for t in worst), got
    assert not [e for e in got if e[0] != "worst" and "WORSTTEXT" in e[2]]


@pytest.mark.parametrize("form", UNKNOWN_FORMS)
def test_an_unknown_heading_ends_the_section(form: str) -> None:
    got = description_sections(_desc(form), KINDS, _People())
    assert not [e for e in got if e[0] != "worst" and "WORSTTEXT" in e[2]], got


def test_names_in_headings_and_entries_still_work() -> None:
    desc = (
        "**Best moment (Will):**\n- Jess: great review\n- ran the retro\n"
        "Focus – Jess:\nshorter docs\n- Context: the design review\n"
    )
    got = description_sections(desc, KINDS, _People())
    assert got == [
        ("best", "will", "Jess: great review"),
        ("best", "will", "ran the retro"),
        ("focus", "jess", "shorter docs"),
        ("focus", "jess", "Context: the design review"),
    ]


def test_sentences_that_start_like_a_heading_are_not_headings() -> None:
    got = description_sections(
        "Best moment:\nWorst moments were rare this month\n", KINDS, People({}, {}, {})
    )
    assert got == [("best", None, "Worst moments were rare this month")]


CONFIG = parse_config("""
timezone: UTC
people:
  will: {name: Will Smith, trello: willsmith}
  jessica: {name: Jessica Jones, trello: jessjones, aliases: [Jess]}
boards:
  - board: "Peer lunch: Will & Jessica"
    subjects: [will, jessica]
""")


@pytest.mark.slow  # renders two dossiers
def test_no_dossier_of_a_board_in_every_form_contains_worst_moment_text(tmp_path: Path) -> None:
    board = Board()
    for n, form in enumerate(KNOWN_FORMS + UNKNOWN_FORMS):
        day = date(2026, 1, 5).toordinal() + 3 * n
        board.card(
            "Lunches",
            f"{date.fromordinal(day).isoformat()} lunch",
            due=date.fromordinal(day).isoformat(),
            desc=_desc(form, n),
            members=("willsmith", "jessjones"),
        )
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite'}")
    try:
        ingest_board(store, board.data, CONFIG)
        domain = store.load_domain()
    finally:
        store.close()
    options = ReportOptions(
        report_date=date(2026, 12, 31), generated_at=datetime(2026, 12, 31, tzinfo=timezone.utc)
    )
    assert not options.include_worst_moments
    worst_in_domain = [e for e in domain.feedback if "WORSTTEXT" in e.text]
    assert worst_in_domain and all(e.kind == "worst" for e in worst_in_domain)
    for person in ("will", "jessica"):
        out = render_report(
            "dossier", person, domain, options=options, fmt="html", out=tmp_path / f"{person}.html"
        )
        html = out.read_text(encoding="utf-8")
        assert ("PRAISE" in html) == (person == "will")  # Will's dossier quotes his best moments...
        assert "WORSTTEXT" not in html  # ...and no worst moment, whichever way its heading was written
