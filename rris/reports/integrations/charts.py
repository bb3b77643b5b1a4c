"""The report's pictures, drawn by matplotlib as SVG on the server (no script on the page, sharp
in print). Figures are built with the object API, never pyplot, so requests in parallel
threads share no global state.

Every chart comes with the table it was drawn from on the page; the charts add no figure the
tables do not carry. Labels come worded and numbers are written in the reader's `locale` (its
separators and digits), never by matplotlib's own formatter.

Drawing is most of a report page's work, so each chart is kept once drawn: the last `KEPT`
pictures in this process, keyed by everything the chart shows (its figures, its worded labels
and the locale its numbers are written in), compared whole, not by a digest. A closed month's
charts are drawn once per reader's language; any change of a figure or a word is another key,
so a picture can never outlive its figures.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale
from matplotlib.axis import Axis
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import AutoLocator, FuncFormatter

from rris.common.domain.formats import number_formatter

_REQUESTED = "#9bb7d4"
_DELIVERED = "#1f5f99"
_BARS = "#1f5f99"
_HEAT = "Blues"
_FONT_SIZE = 9
_WIDTH_INCHES = 8.0
KEPT = 128  # pictures kept per process: a few dozen periods in each language read (SVGs of 20-80 kB)


Number = Callable[[float], str]


@dataclass(frozen=True)
class TrendPoint:
    label: str
    requested_minutes: int
    delivered_minutes: int


def _numbers(axis: Axis, number: Number) -> None:
    axis.set_major_formatter(FuncFormatter(lambda value, _position: number(value)))


def _svg(figure: Figure) -> str:
    FigureCanvasSVG(figure)
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata={"Date": None}, bbox_inches="tight")
    return out.getvalue()


def _figure(height: float) -> Figure:
    figure = Figure(figsize=(_WIDTH_INCHES, height), dpi=96)
    figure.set_layout_engine("constrained")
    return figure


def forget_drawn() -> None:
    """Drop every kept picture, so the next ones are drawn afresh (a benchmark's first reading)."""
    for draw in (trend_chart, heat_map, distribution_chart):
        draw.cache_clear()


@lru_cache(maxsize=KEPT)
def trend_chart(points: tuple[TrendPoint, ...], requested: str, delivered: str, minutes: str, locale: Locale) -> str:
    """Minutes requested and delivered per month, as paired bars (kept once drawn)."""
    figure = _figure(3.0)
    axes = figure.add_subplot()
    positions = range(len(points))
    width = 0.4
    axes.bar(
        [p - width / 2 for p in positions],
        [p.requested_minutes for p in points],
        width,
        label=requested,
        color=_REQUESTED,
    )
    axes.bar(
        [p + width / 2 for p in positions],
        [p.delivered_minutes for p in points],
        width,
        label=delivered,
        color=_DELIVERED,
    )
    axes.set_xticks(list(positions), [p.label for p in points], fontsize=_FONT_SIZE, rotation=45, ha="right")
    axes.set_ylabel(minutes, fontsize=_FONT_SIZE)
    _numbers(axes.yaxis, number_formatter(locale))
    axes.tick_params(axis="y", labelsize=_FONT_SIZE)
    axes.legend(fontsize=_FONT_SIZE, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)


@lru_cache(maxsize=KEPT)
def heat_map(
    rows: tuple[str, ...], columns: tuple[str, ...], values: tuple[tuple[int, ...], ...], legend: str, locale: Locale
) -> str:
    """A grid of minutes: `rows` (languages) by `columns` (countries), each cell labelled (kept once drawn)."""
    figure = _figure(max(2.0, 0.35 * len(rows) + 1.2))
    axes = figure.add_subplot()
    image = axes.imshow(values, cmap=_HEAT, aspect="auto")
    axes.set_xticks(range(len(columns)), columns, fontsize=_FONT_SIZE, rotation=30, ha="right")
    axes.set_yticks(range(len(rows)), rows, fontsize=_FONT_SIZE)
    number = number_formatter(locale)
    peak = max((max(row) for row in values if row), default=0)
    for y, row in enumerate(values):
        for x, value in enumerate(row):
            if value:
                colour = "white" if peak and value > peak * 0.6 else "black"
                label = axes.text(x, y, number(value), ha="center", va="center", fontsize=_FONT_SIZE - 1, color=colour)
                label.set_in_layout(False)  # inside its cell: nothing for the layout to make room for
    bar = figure.colorbar(image, ax=axes, shrink=0.8)
    bar.set_label(legend, fontsize=_FONT_SIZE)
    _numbers(bar.ax.yaxis, number)
    bar.ax.tick_params(labelsize=_FONT_SIZE)
    return _svg(figure)


@lru_cache(maxsize=KEPT)
def distribution_chart(
    labels: tuple[str, ...], counts: tuple[int, ...], xlabel: str, ylabel: str, locale: Locale
) -> str:
    """Interpreters per utilisation band, as a histogram of bars (kept once drawn)."""
    figure = _figure(2.8)
    axes = figure.add_subplot()
    axes.bar(range(len(labels)), counts, color=_BARS)
    axes.set_xticks(range(len(labels)), labels, fontsize=_FONT_SIZE, rotation=45, ha="right")
    axes.set_xlabel(xlabel, fontsize=_FONT_SIZE)
    axes.set_ylabel(ylabel, fontsize=_FONT_SIZE)
    counts_axis = AutoLocator()  # a linear axis's own locator, told to mark whole numbers only
    counts_axis.set_params(integer=True)
    axes.yaxis.set_major_locator(counts_axis)
    _numbers(axes.yaxis, number_formatter(locale))
    axes.tick_params(axis="y", labelsize=_FONT_SIZE)
    axes.spines[["top", "right"]].set_visible(False)
    return _svg(figure)
