"""Input checks and NaN handling shared by every indicator.

Rule for missing values (NaN or infinite inputs): a bar where any input is missing gets NaN
output and is otherwise skipped, as if the row were absent. Leading missing values therefore
just delay the warm-up (TA-Lib's convention); a missing value in the middle neither poisons
the rest of the series nor shifts a window onto made-up numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

from app.core.errors import DataError

FloatArray: TypeAlias = npt.NDArray[np.float64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]


def as_series(values: npt.ArrayLike, name: str) -> FloatArray:
    """Return ``values`` as a 1-D float64 array (no copy when it already is one).

    Args:
        values: a numpy array, pandas Series or sequence of numbers.
        name: the input's name, used in error messages.

    Raises:
        DataError: the input is not one-dimensional or not numeric.
    """
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{name}: expected numbers, got {type(values).__name__}") from exc
    if array.ndim != 1:
        raise DataError(f"{name}: expected a 1-D series, got {array.ndim} dimensions")
    return array


def same_length(**arrays: FloatArray) -> int:
    """Return the common length of ``arrays``.

    Raises:
        DataError: the lengths differ (the message lists them).
    """
    lengths = {name: len(array) for name, array in arrays.items()}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{name}={length}" for name, length in lengths.items())
        raise DataError(f"inputs must have the same length, got {listed}")
    return next(iter(lengths.values()), 0)


def check_period(value: int, name: str = "period", minimum: int = 1) -> int:
    """Return ``value`` when it is a whole number >= ``minimum``.

    Raises:
        ValueError: not an int, or smaller than ``minimum``.
    """
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name}: must be a whole number, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name}: must be at least {minimum}, got {value}")
    return int(value)


def on_present_rows(
    compute: Callable[..., tuple[FloatArray, ...]], *inputs: FloatArray
) -> tuple[FloatArray, ...]:
    """Run ``compute`` on the rows where every input is a finite number.

    Args:
        compute: takes the (filtered) inputs, returns arrays of the same length.
        inputs: equal-length 1-D float arrays.

    Returns:
        ``compute``'s outputs at full length, NaN on the rows that had a missing input.
    """
    present = np.isfinite(inputs[0])
    for array in inputs[1:]:
        present &= np.isfinite(array)
    if present.all():
        return compute(*inputs)
    outputs = compute(*(array[present] for array in inputs))
    expanded = []
    for output in outputs:
        full = np.full(len(present), np.nan)
        full[present] = output
        expanded.append(full)
    return tuple(expanded)


def rolling_mean(values: FloatArray, period: int) -> FloatArray:
    """Mean of the last ``period`` values at each bar; NaN until ``period`` values exist."""
    return pd.Series(values).rolling(period).mean().to_numpy(dtype=np.float64, copy=True)


def rolling_max(values: FloatArray, period: int) -> FloatArray:
    """Largest of the last ``period`` values at each bar; NaN until ``period`` values exist."""
    return pd.Series(values).rolling(period).max().to_numpy(dtype=np.float64, copy=True)


def rolling_min(values: FloatArray, period: int) -> FloatArray:
    """Smallest of the last ``period`` values at each bar; NaN until ``period`` values exist."""
    return pd.Series(values).rolling(period).min().to_numpy(dtype=np.float64, copy=True)


def seeded_ema(values: FloatArray, period: int, alpha: float, first: int) -> FloatArray:
    """Exponential average that starts at bar ``first + period - 1``.

    The first output is the plain mean of ``values[first : first + period]``; after that
    ``out[t] = out[t-1] + alpha * (values[t] - out[t-1])``. Runs in pandas' C loop.

    Args:
        values: the series (entries before ``first`` are ignored and may be NaN).
        period: length of the seed window.
        alpha: smoothing factor in (0, 1]: 2/(n+1) for an EMA, 1/n for Wilder's smoothing.
        first: index of the first value of the seed window.

    Returns:
        An array of ``len(values)``, NaN before the seed bar.
    """
    out = np.full(len(values), np.nan)
    seed_at = first + period - 1
    if seed_at >= len(values):
        return out
    tail = values[seed_at:].copy()
    tail[0] = values[first : seed_at + 1].mean()
    smoothed = pd.Series(tail).ewm(alpha=alpha, adjust=False).mean()
    out[seed_at:] = smoothed.to_numpy(dtype=np.float64)
    return out
