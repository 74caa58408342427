"""What every server-side SVG chart shares: the value range its height spans, and the mapping of
values to the viewBox's coordinates. The drawings themselves live in each app's `charts.py`."""

import dataclasses


def value_range(low: float | None, high: float | None) -> tuple[float, float]:
    """The values the chart's height spans: the data's, with a margin, never empty."""
    if low is None or high is None:
        return 0.0, 1.0
    margin = (high - low) * 0.05 or abs(high) * 0.1 or 1.0
    return low - margin, high + margin


@dataclasses.dataclass(frozen=True)
class Scale:
    """A linear map from [low, high] to [start, end] in SVG units (end < start for a y axis)."""

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        return round(self.start + (value - self.low) / (self.high - self.low) * (self.end - self.start), 1)
