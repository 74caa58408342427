"""A point's history drawn as an SVG line chart (mean line, min–max band), computed here, drawn by a template.

Coordinates are in the SVG's viewBox; the template scales it to the width of its box, so one
drawing serves a phone and a desk.
"""

import dataclasses
import datetime

from maintenir.core.charts import Scale, value_range
from maintenir.devices.history import Bucket, History, Span, point_history
from maintenir.devices.models import Point

WIDTH = 320
HEIGHT = 160
# Room for the value labels on the left and the time labels below.
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 18, 22
Y_TICKS = 3
# How each span's time labels are written (Django's date format).
TIME_FORMATS = {Span.HOUR: "H:i", Span.DAY: "H:i", Span.MONTH: "j M", Span.YEAR: "M Y"}


@dataclasses.dataclass(frozen=True)
class Tick:
    position: float
    value: float | datetime.datetime


@dataclasses.dataclass(frozen=True)
class Chart:
    history: History
    lines: list[str]  # SVG path data of the mean, one per stretch without a gap
    bands: list[str]  # the min–max band of each stretch
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    low: float | None  # over the span, without bad readings
    high: float | None
    mean: float | None
    count: int

    width = WIDTH
    height = HEIGHT
    left = LEFT
    right_edge = WIDTH - RIGHT
    bottom_edge = HEIGHT - BOTTOM

    @property
    def point(self) -> Point:
        return self.history.point

    @property
    def time_format(self) -> str:
        return TIME_FORMATS[self.history.span]

    @property
    def spans(self) -> list[tuple[str, str]]:
        return [(str(span.value), str(span.label)) for span in Span]


def chart_for(point: Point, span: Span | str, now: datetime.datetime | None = None) -> Chart:
    return draw(point_history(point, span, now))


def draw(history: History) -> Chart:
    buckets = [bucket for bucket in history.buckets if bucket.mean is not None]
    low = min((bucket.min for bucket in buckets if bucket.min is not None), default=None)
    high = max((bucket.max for bucket in buckets if bucket.max is not None), default=None)
    valid = sum(bucket.valid_count for bucket in buckets)
    mean = (
        sum(bucket.mean * bucket.valid_count for bucket in buckets if bucket.mean is not None) / valid
        if valid
        else None
    )
    bottom, top = value_range(low, high)
    time_scale = Scale(history.since.timestamp(), history.until.timestamp(), LEFT, WIDTH - RIGHT)
    y = Scale(bottom, top, HEIGHT - BOTTOM, TOP)

    def x(moment: datetime.datetime) -> float:
        return time_scale(moment.timestamp())

    lines, bands = [], []
    for stretch in _stretches(history.buckets):
        means = [(x(bucket.middle), y(bucket.mean)) for bucket in stretch if bucket.mean is not None]
        lines.append("M" + " L".join(f"{px} {py}" for px, py in means) + (" h0" if len(means) == 1 else ""))
        if any(bucket.seconds for bucket in stretch):
            upper = [(x(bucket.middle), y(bucket.max)) for bucket in stretch if bucket.max is not None]
            lower = [(x(bucket.middle), y(bucket.min)) for bucket in reversed(stretch) if bucket.min is not None]
            bands.append("M" + " L".join(f"{px} {py}" for px, py in upper + lower) + " Z")
    step = (top - bottom) / (Y_TICKS - 1)
    y_ticks = [Tick(y(bottom + step * n), bottom + step * n) for n in range(Y_TICKS)]
    middle = history.since + (history.until - history.since) / 2
    x_ticks = [Tick(x(moment), moment) for moment in (history.since, middle, history.until)]
    return Chart(history, lines, bands, y_ticks, x_ticks, low, high, mean, sum(b.count for b in history.buckets))


def _stretches(buckets: list[Bucket]) -> list[list[Bucket]]:
    """The buckets cut where a value is missing: a bucket without one, or a gap of more than two buckets."""
    stretches: list[list[Bucket]] = [[]]
    previous: Bucket | None = None
    for bucket in buckets:
        gap = (
            previous is not None
            and previous.seconds
            and (bucket.start - previous.start).total_seconds() > 2 * max(previous.seconds, bucket.seconds)
        )
        if bucket.mean is None or gap:
            stretches.append([])
        if bucket.mean is not None:
            stretches[-1].append(bucket)
        previous = bucket
    return [stretch for stretch in stretches if stretch]
