"""Straightforward reference implementations used by the strategy tests."""

from __future__ import annotations

import math
from collections.abc import Sequence


def reference_crosses(
    a: Sequence[float], b: Sequence[float] | float
) -> tuple[list[bool], list[bool]]:
    """Loop version of the crossing rule: remember the side at the last bar where a != b."""
    levels = [float(b)] * len(a) if isinstance(b, int | float) else list(b)
    above, below = [], []
    side = 0
    for left, right in zip(a, levels, strict=True):
        if math.isnan(left) or math.isnan(right):
            above.append(False)
            below.append(False)
            continue
        above.append(left > right and side < 0)
        below.append(left < right and side > 0)
        if left != right:
            side = 1 if left > right else -1
    return above, below
