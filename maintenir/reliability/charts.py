"""Bar charts of KPIs drawn as SVG: a Pareto (bars by decreasing value and the cumulative share as a
line) and a monthly trend. Coordinates are in the viewBox; the template scales it to its box, so
the same drawing serves a phone and a desk."""

import dataclasses

from maintenir.core.charts import Scale, value_range

WIDTH = 320
HEIGHT = 200
# Room for the value labels on the left, the bar labels below (12 characters slanted at 45°, see
# bar_chart.html) and the share labels ("100 %") on the right: every label stays inside the drawing.
LEFT, RIGHT, TOP, BOTTOM = 40, 36, 12, 64
Y_TICKS = 3
GAP = 0.2  # of each bar's slot


@dataclasses.dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    x: float
    y: float
    width: float
    height: float

    @property
    def middle(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclasses.dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    y_ticks: list[tuple[float, float]]  # (position, value)
    cumulative: str  # SVG path of the cumulative share (Pareto only)
    share_ticks: list[tuple[float, int]]  # (position, percent) on the right axis (Pareto only)

    width = WIDTH
    height = HEIGHT
    left = LEFT
    right_edge = WIDTH - RIGHT
    bottom_edge = HEIGHT - BOTTOM


def bar_chart(values: list[tuple[str, float | None]], cumulative: bool = False) -> BarChart:
    """Bars for (label, value) in the given order; a missing value leaves its slot empty."""
    known = [value for _, value in values if value is not None]
    bottom, top = value_range(0.0, max(known, default=None))
    bottom = 0.0  # bars stand on zero
    y = Scale(bottom, top, HEIGHT - BOTTOM, TOP)
    slot = (WIDTH - RIGHT - LEFT) / max(1, len(values))
    bars = [
        Bar(
            label,
            value,
            round(LEFT + slot * (n + GAP / 2), 1),
            y(value or 0.0),
            round(slot * (1 - GAP), 1),
            round(y(0.0) - y(value or 0.0), 1),
        )
        for n, (label, value) in enumerate(values)
    ]
    step = (top - bottom) / (Y_TICKS - 1)
    y_ticks = [(y(bottom + step * n), bottom + step * n) for n in range(Y_TICKS)]
    path, share_ticks = "", []
    total = sum(known)
    if cumulative and total:
        share = Scale(0.0, 1.0, HEIGHT - BOTTOM, TOP)
        running = 0.0
        points = []
        for bar in bars:
            running += bar.value or 0.0
            points.append(f"{bar.middle} {share(running / total)}")
        path = "M" + " L".join(points)
        share_ticks = [(share(percent / 100), percent) for percent in (0, 50, 80, 100)]
    return BarChart(bars, y_ticks, path, share_ticks)
