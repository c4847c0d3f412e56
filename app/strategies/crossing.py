"""Vectorised crossing detection (backtrader ``CrossOver`` semantics).

``a`` crosses above ``b`` at bar t when ``a[t] > b[t]`` and, at the most recent earlier bar
where ``a != b``, ``a`` was below ``b``. Bars where ``a == b`` do not reset that memory, and bars
where ``a`` or ``b`` is NaN (warm-up) are skipped entirely. Crossing below is the mirror image.
Every value at bar t uses bars 0..t only.

Implementation: keep only the "decided" bars (``a - b`` finite and non-zero); a cross is a
decided bar whose side differs from the previous decided bar's side. One pass finds both
directions, so :func:`crossings` costs about the same as either one alone.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from app.indicators import BoolArray

__all__ = ["crossed_above", "crossed_below", "crossings"]


def crossings(a: npt.ArrayLike, b: npt.ArrayLike) -> tuple[BoolArray, BoolArray]:
    """Bars where ``a`` crosses above ``b`` and bars where it crosses below, in one pass.

    Args:
        a: a 1-D series.
        b: a series of the same length, or a scalar level (e.g. an RSI threshold).

    Returns:
        ``(above, below)``: two bool arrays of ``len(a)``.
    """
    left = np.asarray(a, dtype=np.float64)
    right = np.broadcast_to(np.asarray(b, dtype=np.float64), left.shape)
    above = np.zeros(len(left), dtype=np.bool_)
    below = np.zeros(len(left), dtype=np.bool_)
    with np.errstate(invalid="ignore"):
        diff = left - right
        positive = diff > 0
        decided = np.flatnonzero(positive | (diff < 0))
    if decided.size < 2:
        return above, below
    side = positive[decided]
    changed = side[1:] != side[:-1]
    bars = decided[1:][changed]
    up = side[1:][changed]
    above[bars[up]] = True
    below[bars[~up]] = True
    return above, below


def crossed_above(a: npt.ArrayLike, b: npt.ArrayLike) -> BoolArray:
    """True at each bar where ``a`` crosses above ``b``.

    Args:
        a: a 1-D series.
        b: a series of the same length, or a scalar level (e.g. an RSI threshold).

    Returns:
        Bool array of ``len(a)``.
    """
    return crossings(a, b)[0]


def crossed_below(a: npt.ArrayLike, b: npt.ArrayLike) -> BoolArray:
    """True at each bar where ``a`` crosses below ``b`` (mirror of :func:`crossed_above`).

    Args:
        a: a 1-D series.
        b: a series of the same length, or a scalar level.

    Returns:
        Bool array of ``len(a)``.
    """
    return crossings(a, b)[1]
