"""How the report writes numbers: one function per kind of figure, for the tables, the tooltips and
the axes alike."""

from __future__ import annotations

import math


def count(value: float) -> str:
    return f"{value:,.0f}"


def amount(value: float) -> str:
    """A deal amount or a spend, in the data's currency, to the unit."""
    return f"{value:,.0f}"


def rate(value: float) -> str:
    return f"{value:.1%}"


def whole_rate(value: float) -> str:
    return f"{value:.0%}"


def decimal(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f}"


def days(value: float | None) -> str:
    return "–" if value is None else f"{value:,.1f} d"


def times(value: float) -> str:
    """A ratio such as return on ad spend: ``3.25×``."""
    return f"{value:,.2f}×"


def compact_times(value: float) -> str:
    return f"{compact(value)}×"


def compact(value: float) -> str:
    """Axis ticks and bar labels: 950, 12k, 3.5M, 1.2B."""
    magnitude = abs(value)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if magnitude >= limit:
            scaled = value / limit
            return f"{scaled:.1f}".removesuffix(".0") + suffix
    if magnitude and magnitude < 10 and not float(value).is_integer():
        return f"{value:.1f}"
    return f"{value:,.0f}"


def nice_ticks(maximum: float, target: int = 5) -> list[float]:
    """Ticks from 0 to the first round number at or above ``maximum``, about ``target`` steps of
    1, 2, 2.5 or 5 times a power of ten."""
    if not maximum or maximum <= 0 or not math.isfinite(maximum):
        return [0.0, 1.0]
    raw = maximum / target
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    steps = math.ceil(maximum / step - 1e-9)
    return [i * step for i in range(steps + 1)]
