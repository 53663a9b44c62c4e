"""What a benchmark reports, and a timer."""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    unit: str
    baseline_name: str
    baseline_value: float
    target: str = ""


def percentile_ms(
    action: Callable[[], object], *, repeat: int, percentile: int = 50
) -> float:
    """The given percentile of ACTION's wall-clock time, in milliseconds."""
    action()  # warm up: imports, caches, first connection
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    if percentile == 50:
        return statistics.median(times)
    return statistics.quantiles(times, n=100)[percentile - 1]
