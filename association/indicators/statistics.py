"""Distribution statistics of a peer group: one quartile method, used everywhere.

QUARTILE_METHOD is "inclusive": linear interpolation between order statistics at position p·(n − 1), which is
`statistics.quantiles(values, n=4, method="inclusive")`, Excel's QUARTILE.INC and NumPy's default. The percentile
rank is the inverse of the same function: the p (0–100) at which the interpolated quantile equals the library's
value (the middle of the positions it occupies when several peers share it; 0 below the minimum, 100 above the
maximum) — so a library at the group's median is at 50, at q1 at 25.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Final, Literal

QUARTILE_METHOD: Final[Literal["inclusive"]] = "inclusive"
DEFAULT_MIN_PEERS = 5  # k: a distribution of fewer available values is not shown


@dataclass(frozen=True)
class Distribution:
    count: int
    median: float
    q1: float
    q3: float
    min: float
    max: float

    def as_dict(self) -> dict[str, float | int]:
        return {"count": self.count, "median": self.median, "q1": self.q1, "q3": self.q3, "min": self.min,
                "max": self.max}


def distribution(values: list[float], min_peers: int) -> Distribution | None:
    """Count, quartiles, median, minimum and maximum; None when fewer than `min_peers` values (k-anonymity)."""
    if len(values) < max(min_peers, 2):
        return None
    q1, median, q3 = statistics.quantiles(values, n=4, method=QUARTILE_METHOD)
    return Distribution(len(values), median, q1, q3, min(values), max(values))


def percentile_rank(value: float, values: list[float]) -> float:
    """Where `value` stands in `values`, 0–100, by the inverse of the inclusive quantile function."""
    ordered = sorted(values)
    last = len(ordered) - 1
    equal = [index for index, peer in enumerate(ordered) if peer == value]
    if last == 0:
        return 50.0 if equal else (0.0 if value < ordered[0] else 100.0)
    if equal:
        position = sum(equal) / len(equal)
    elif value < ordered[0]:
        return 0.0
    elif value > ordered[-1]:
        return 100.0
    else:
        below = max(index for index, peer in enumerate(ordered) if peer < value)
        low, high = ordered[below], ordered[below + 1]
        position = below + (value - low) / (high - low)
    return 100 * position / last


def quartile_of(value: float, dist: Distribution) -> int:
    """1–4: the quartile band a value falls in (for shading the indicator table)."""
    if value <= dist.q1:
        return 1
    if value <= dist.median:
        return 2
    if value <= dist.q3:
        return 3
    return 4
