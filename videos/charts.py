"""Server-drawn SVG charts: the geometry of stacked bars and lines, for templates to draw.

No JavaScript and nothing from a CDN: a template turns these shapes into <rect> and
<polyline> elements, and every chart is shown beside a table of the same numbers.
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils import formats

WIDTH = 720
HEIGHT = 220
LEFT = 44  # room for the y axis labels
BOTTOM = 24  # room for the x axis labels
TOP = 8


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    series: int
    title: str


@dataclass(frozen=True)
class Line:
    series: int
    label: str
    points: str  # "x,y x,y ..." for <polyline points>


@dataclass
class Chart:
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    plot_bottom: float = HEIGHT - BOTTOM
    rects: list[Rect] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    y_ticks: list[tuple[float, str]] = field(default_factory=list)
    x_labels: list[tuple[float, str]] = field(default_factory=list)
    legend: list[tuple[int, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.rects and not self.lines


def _nice_max(value: float) -> float:
    """The smallest of 1, 2, 5 × 10ⁿ at least `value` (an axis top that reads well)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def _frame(days: list[date], top: float, unit: str = "") -> Chart:
    chart = Chart()
    plot_height = chart.plot_bottom - TOP
    for fraction in (0, 0.5, 1):
        value = top * fraction
        label = f"{value:g}{unit}"
        chart.y_ticks.append((round(chart.plot_bottom - plot_height * fraction, 1), label))
    slot = (WIDTH - LEFT) / max(len(days), 1)
    every = max(len(days) // 6, 1)
    for index, day in enumerate(days):
        if index % every == 0:
            x = LEFT + slot * (index + 0.5)
            chart.x_labels.append((round(x, 1), formats.date_format(day, "MONTH_DAY_FORMAT")))
    return chart


def stacked_bars(days: list[date], series: list[tuple[str, list[int]]]) -> Chart:
    """One bar per day, one coloured segment per series, stacked from the bottom."""
    totals = [sum(values[i] for _label, values in series) for i in range(len(days))]
    top = _nice_max(max(totals, default=0))
    chart = _frame(days, top)
    chart.legend = [(index, label) for index, (label, _values) in enumerate(series)]
    plot_height = chart.plot_bottom - TOP
    slot = (WIDTH - LEFT) / max(len(days), 1)
    width = max(slot * 0.8, 1)
    for i, day in enumerate(days):
        base = chart.plot_bottom
        x = LEFT + slot * i + (slot - width) / 2
        for index, (label, values) in enumerate(series):
            if not values[i]:
                continue
            height = plot_height * values[i] / top
            base -= height
            title = f"{formats.date_format(day, 'SHORT_DATE_FORMAT')} · {label}: {values[i]}"
            chart.rects.append(
                Rect(round(x, 1), round(base, 1), round(width, 1), round(height, 1), index, title)
            )
    return chart


def lines(days: list[date], series: list[tuple[str, list[float | None]]], unit="") -> Chart:
    """One line per series across the days; days without a value break nothing, they are skipped."""
    values = [v for _label, vs in series for v in vs if v is not None]
    top = _nice_max(max(values, default=0))
    chart = _frame(days, top, unit)
    plot_height = chart.plot_bottom - TOP
    slot = (WIDTH - LEFT) / max(len(days), 1)
    for index, (label, points) in enumerate(series):
        coords = [
            f"{LEFT + slot * (i + 0.5):.1f},{chart.plot_bottom - plot_height * v / top:.1f}"
            for i, v in enumerate(points)
            if v is not None
        ]
        if coords:
            chart.lines.append(Line(index, label, " ".join(coords)))
        chart.legend.append((index, label))
    return chart
