"""Markers are words: `#share` is a whole tag, it marks only the entry whose own text holds it, and the label
that marks shareable entries is never a competency (issue 19)."""

from __future__ import annotations

import pytest
from boardbuilder import Board

from trellosync.config.settings import parse_config
from trellosync.domain import build_domain
from trellosync.domain.derive_practices import build_practices
from trellosync.domain.visibility import feedback_shareable, holds_marker, without_marker
from trellosync.mirror.normalize import normalize_board

CONFIG = parse_config("""
timezone: UTC
people:
  will: {name: Will Smith, trello: willsmith}
  jessica: {name: Jessica Jones, trello: jessjones}
boards:
  - board: "Peer lunch: Will & Jessica"
    subjects: [will, jessica]
    goals: {lists: [Goals], done_lists: [Achieved]}
""")


@pytest.mark.parametrize(
    "text, holds",
    [
        ("shipped #share", True),
        ("#Share: shipped", True),
        ("(#share)", True),
        ("shipped #share.", True),
        ("#SHARE", True),
        ("#shareholder meeting went well", False),
        ("moved to #SharePoint", False),
        ("#share-worthy", False),
        ("foo#share", False),
        ("#shares", False),
        ("share", False),
        ("", False),
    ],
)
def test_the_marker_is_a_whole_tag(text: str, holds: bool) -> None:
    assert holds_marker(text, "#share") is holds


def test_removing_the_marker_leaves_longer_tags_alone() -> None:
    assert (
        without_marker("great #share demo for #shareholders and #SharePoint", "#share")
        == "great demo for #shareholders and #SharePoint"
    )
    assert holds_marker("[ok] shipped", "[ok]") and not holds_marker("[o] shipped", "[ok]")


def _derive(board: Board):
    rows = normalize_board(board.data)
    mapping = CONFIG.mapping_for(board.data)
    domain = build_domain(rows, mapping, CONFIG.people, tz="UTC")
    practices, _, _ = build_practices(rows, mapping, CONFIG.people, domain, tz="UTC")
    return domain, practices


def test_a_marker_marks_only_the_entry_whose_text_holds_it() -> None:
    b = Board()
    b.card(
        "Lunches",
        "2026-03-02 lunch #share",
        due="2026-03-02",
        members=("willsmith", "jessjones"),
        desc=(
            "## Best moment\n- Will: demoed the search UNMARKED\n- Will: wrote the runbook #share\n"
            "- Will: hosted the #shareholder call ALSOUNMARKED\n"
            "## Worst moment\n- Will: snapped at a colleague #share\n"
        ),
    )
    b.card(
        "Lunches",
        "2026-03-16 lunch",
        due="2026-03-16",
        members=("willsmith", "jessjones"),
        desc="## Best moment\n- Will: moved the docs to #SharePoint\n",
    )
    domain, practices = _derive(b)
    shown = {f.text: feedback_shareable(f, practices) for f in domain.feedback}
    assert shown == {
        "demoed the search UNMARKED": False,
        "wrote the runbook #share": True,
        "hosted the #shareholder call ALSOUNMARKED": False,
        "snapped at a colleague #share": False,
        "moved the docs to #SharePoint": False,
    }
    worst = next(f for f in domain.feedback if f.kind == "worst")
    assert worst.id in practices.marked  # marked, and still never shown: a worst moment is no strength


def test_the_shareable_label_marks_the_card_and_is_no_competency() -> None:
    b = Board()
    share, influence = b.label("Shareable"), b.label("Influence")
    b.card(
        "Lunches",
        "2026-03-02 lunch",
        due="2026-03-02",
        members=("willsmith", "jessjones"),
        labels=(share, influence),
        desc="## Best moment\n- Will: led the design review\n",
    )
    b.card(
        "Lunches",
        "2026-03-16 lunch",
        due="2026-03-16",
        members=("willsmith", "jessjones"),
        labels=(share,),
        desc="## Best moment\n- Will: paired with Tomasz\n",
    )
    b.card("Goals", "Will: speak at the summit", labels=(share,))
    domain, practices = _derive(b)
    assert "shareable" not in domain.competencies and all(
        "Shareable" != c.name for c in domain.competencies.values()
    )
    by_text = {f.text: f for f in domain.feedback}
    assert by_text["led the design review"].competency == "influence"  # the card's single competency label
    assert by_text["led the design review"].card_labels == ["influence"]
    assert (
        by_text["paired with Tomasz"].competency is None and by_text["paired with Tomasz"].card_labels == []
    )
    assert [g.labels for g in domain.goals] == [[]]
