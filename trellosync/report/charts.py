"""Charts as inline SVG, drawn by pygal from numbers and escaped labels only.

No scripts, no remote fonts, no XML declaration: the SVG is embedded in the report's HTML as-is, which is
safe because it is built by our code from numbers and month names (pygal escapes text through its XML
builder); no card text ever reaches a chart.
"""

from __future__ import annotations

import functools
import math
import re
from html import escape
from typing import Any

from markupsafe import Markup

from trellosync.report.views import Chart

_FONTS = "'Report Sans', 'DejaVu Sans', sans-serif"  # the report's embedded font first (report.css names it)
_STYLE_ARGS: dict[str, object] = dict(
    background="transparent",
    plot_background="transparent",
    foreground="#333333",
    foreground_strong="#1f2933",
    foreground_subtle="#c8ccd0",
    opacity="0.85",
    opacity_hover="0.85",
    transition="0s",
    colors=("#2b6cb0", "#2f855a", "#9aa5b1", "#c05621"),
    **{
        f"{part}font_family": _FONTS
        for part in (
            "",
            "label_",
            "major_label_",
            "value_",
            "value_label_",
            "tooltip_",
            "title_",
            "legend_",
            "no_data_",
        )
    },
    label_font_size=11,
    major_label_font_size=11,
    legend_font_size=12,
    title_font_size=14,
    no_data_font_size=16,
)


@functools.lru_cache(maxsize=2)
def _style(kind: str) -> Any:
    """The pygal style of a chart kind (pygal is imported when a report first draws a chart, not before)."""
    from pygal.style import Style

    return (
        Style(**_STYLE_ARGS)
        if kind != "cadence"
        else Style(**{**_STYLE_ARGS, "colors": ("#2b6cb0", "#cbd2d9")})
    )


def _config(chart: Chart) -> dict[str, object]:
    many = len(chart.x_labels) > 8
    return {
        "style": _style("default"),
        "js": [],  # no remote (or any) scripts
        "disable_xml_declaration": True,
        "width": 720,
        "height": 300,
        "explicit_size": False,
        "show_legend": True,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": len(chart.series),
        "x_label_rotation": 35 if many else 0,
        "show_minor_x_labels": True,
        "truncate_label": -1,
        "print_values": False,
        "margin": 8,
        "no_data_text": "No data in this period",
        "pretty_print": False,
        "value_formatter": lambda v: f"{v:g}",
        "show_x_guides": False,
        "show_y_guides": False,
        "y_labels": _integer_ticks(chart),
        "margin_right": 28,
    }


def _integer_ticks(chart: Chart) -> list[int]:
    """Whole-number y ticks (these are counts), at most about eight of them."""
    top = max([v for _, values in chart.series for v in values if v is not None] + [1.0])
    step = max(1, math.ceil(top / 8))
    return list(range(0, math.ceil(top) + step, step))


_SCRIPT_OR_HANDLER = re.compile(
    r"<script\b|\son\w+\s*=|javascript:|@import|url\(\s*['\"]?https?:", re.IGNORECASE
)


def render_chart(chart: Chart, title: str | None = None, names: dict[str, str] | None = None) -> Markup:
    """A Chart's numbers as an inline <svg> element (bars for cadence, lines for progress).

    `title` and `names` (series code -> legend text) come from the template, which words the chart.
    """
    import pygal

    names = names or {}
    cls = pygal.Bar if chart.kind == "cadence" else pygal.Line
    config = _config(chart)
    if chart.kind == "cadence":
        config["style"] = _style("cadence")
    if chart.kind == "reliability":  # percentages
        config.update(y_labels=[0, 25, 50, 75, 100], range=(0, 100))
    graph = cls(**config)
    graph.title = title if title is not None else chart.title
    graph.x_labels = chart.x_labels
    for code, values in chart.series:
        name = names.get(code, code)
        if chart.kind == "cadence" and code in ("target", "Target"):
            # The target is drawn as a second bar per month: pygal cannot overlay a line on a bar chart.
            graph.add(name, values, fill=False)
        else:
            graph.add(name, values)
    svg = graph.render(is_unicode=True)
    # pygal always inlines a <script> holding its config for the (absent) tooltips JS: drop it, and its
    # generator comments; what remains is shapes, text and a <style> scoped to the chart's id.
    svg = re.sub(r"<script\b.*?</script>", "", svg, flags=re.DOTALL)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)
    svg = re.sub(r' id="activate-serie-\d+"', "", svg)  # legend ids for the JS, repeated in every chart
    if _SCRIPT_OR_HANDLER.search(svg):
        raise ValueError("chart SVG contains script, event handlers or remote references")
    # The text alternative, made from the chart's numbers: the accessible name (aria-label in HTML) and the
    # <title> WeasyPrint gives the PDF's Figure as its /Alt.
    alt = escape(describe_chart(chart, graph.title, names), quote=True)
    svg = svg.replace("<svg ", f'<svg role="img" class="chart" aria-label="{alt}" ', 1)
    svg = re.sub(r"(<svg\b[^>]*>)", lambda m: f"{m[1]}<title>{alt}</title>", svg, count=1)
    return Markup(svg)


def _value(v: float | None) -> str:
    return "no value" if v is None else f"{round(v, 1):g}"


def describe_chart(chart: Chart, title: str | None, names: dict[str, str]) -> str:
    """The chart in words, from its numbers: "Title. Apr 2026: Lunches held 2, Expected 2; May 2026: ..."."""
    series = [(names.get(code, code), values) for code, values in chart.series]
    points = []
    for i, label in enumerate(chart.x_labels):
        values = ", ".join(f"{name} {_value(vals[i] if i < len(vals) else None)}" for name, vals in series)
        points.append(f"{label}: {values}")
    return f"{title or chart.title}. " + ("; ".join(points) if points else "No data in this period") + "."
