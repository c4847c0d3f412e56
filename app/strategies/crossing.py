"""Vectorised crossing detection (backtrader ``CrossOver`` semantics).

``a`` crosses above ``b`` at bar t when ``a[t] > b[t]`` and, at the most recent earlier bar
where ``a != b``, ``a`` was below ``b``. Bars where ``a == b`` do not reset that memory, and bars
where ``a`` or ``b`` is NaN (warm-up) are skipped entirely. Crossing below is the mirror image.
Every value at bar t uses bars 0..t only.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from app.indicators import BoolArray, FloatArray


def _difference(a: npt.ArrayLike, b: npt.ArrayLike) -> FloatArray:
    left = np.asarray(a, dtype=np.float64)
    right = np.broadcast_to(np.asarray(b, dtype=np.float64), left.shape)
    return left - right


def _previous_side(diff: FloatArray) -> FloatArray:
    """Sign of ``diff`` at the latest earlier bar where it was non-zero and not NaN (else 0)."""
    sign = np.sign(diff)
    decided = np.isfinite(sign) & (sign != 0)
    index = np.where(decided, np.arange(len(diff)), -1)
    latest = np.maximum.accumulate(index) if len(diff) else index
    previous = np.empty(len(diff), dtype=np.int64)
    previous[:1] = -1
    previous[1:] = latest[:-1]
    return np.where(previous >= 0, sign[np.maximum(previous, 0)], 0.0)


def crossed_above(a: npt.ArrayLike, b: npt.ArrayLike) -> BoolArray:
    """True at each bar where ``a`` crosses above ``b``.

    Args:
        a: a 1-D series.
        b: a series of the same length, or a scalar level (e.g. an RSI threshold).

    Returns:
        Bool array of ``len(a)``.
    """
    diff = _difference(a, b)
    return np.asarray((diff > 0) & (_previous_side(diff) < 0), dtype=np.bool_)


def crossed_below(a: npt.ArrayLike, b: npt.ArrayLike) -> BoolArray:
    """True at each bar where ``a`` crosses below ``b`` (mirror of :func:`crossed_above`).

    Args:
        a: a 1-D series.
        b: a series of the same length, or a scalar level.

    Returns:
        Bool array of ``len(a)``.
    """
    diff = _difference(a, b)
    return np.asarray((diff < 0) & (_previous_side(diff) > 0), dtype=np.bool_)
