"""Power-of-two aggregation levels of one array: range queries and per-pixel downsampling.

Level 0 is the raw array; item ``j`` of level ``L`` reduces raw items
``[j * 2**L, (j + 1) * 2**L)``. Buckets are aligned to absolute indices, so a panned view reuses
the same buckets and the downsampled picture does not shimmer. NaN is ignored by the min/max
reducers (warm-up bars of indicators).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Reducer = Literal["max", "min", "sum"]

_UFUNCS: dict[Reducer, np.ufunc] = {"max": np.fmax, "min": np.fmin, "sum": np.add}
_SMALLEST_LEVEL = 1  # build levels up to a single bucket
_DIRECT_QUERY = 4096  # ranges up to this long are reduced directly on the raw array


class RangePyramid:
    """Aggregation levels of a float array that grows at its end.

    Args:
        reducer: "max", "min" (both ignore NaN) or "sum".
    """

    def __init__(self, reducer: Reducer) -> None:
        self._reducer = reducer
        self._ufunc = _UFUNCS[reducer]
        self._levels: list[FloatArray] = []
        self._size = 0

    @property
    def depth(self) -> int:
        """Number of levels above the raw array."""
        return len(self._levels)

    def rebuild(self, values: FloatArray) -> None:
        """Build every level from scratch for ``values`` (the raw array, kept by the caller)."""
        self._levels = []
        self._size = 0
        self.refresh_tail(values, 0)

    def refresh_tail(self, values: FloatArray, start: int) -> None:
        """Recompute the buckets touched by raw items ``start`` onwards.

        Call after the caller changed ``values[start:]`` or appended items (``values`` is the
        whole current raw array, possibly longer than before).
        """
        size = len(values)
        previous = values
        previous_size = size
        level = 1
        while previous_size > _SMALLEST_LEVEL:
            level_size = (previous_size + 1) // 2
            first = min(start >> level, level_size) if level <= len(self._levels) else 0
            out = self._level_buffer(level, level_size)
            self._reduce_into(previous, previous_size, out, first)
            previous, previous_size = out, level_size
            level += 1
        del self._levels[level - 1 :]
        self._size = size

    def level(self, level: int) -> FloatArray:
        """Items of ``level`` (0 is not stored here: pass the raw array yourself).

        Raises:
            IndexError: ``level`` is not between 1 and :attr:`depth`.
        """
        if not 1 <= level <= len(self._levels):
            raise IndexError(f"pyramid level {level} outside 1..{len(self._levels)}")
        return self._levels[level - 1][: self.level_size(level)]

    def level_size(self, level: int) -> int:
        """Number of items of ``level`` for the current raw size."""
        return -(-self._size // (1 << level))

    def query(self, values: FloatArray, start: int, stop: int) -> float:
        """Exact reduction of ``values[start:stop]`` in O(sqrt(stop - start)).

        Returns NaN for an empty range (or, for min/max, when every item is NaN).
        """
        start = max(start, 0)
        stop = min(stop, self._size, len(values))
        if stop <= start:
            return float("nan")
        if stop - start <= _DIRECT_QUERY or not self._levels:
            return float(self._ufunc.reduce(values[start:stop]))
        level = min(max(1, int(np.log2(stop - start)) // 2), len(self._levels))
        block = 1 << level
        first_block = -(-start // block)
        last_block = stop // block
        parts = [self._ufunc.reduce(self.level(level)[first_block:last_block])]
        if start < first_block * block:
            parts.append(self._ufunc.reduce(values[start : first_block * block]))
        if last_block * block < stop:
            parts.append(self._ufunc.reduce(values[last_block * block : stop]))
        return float(self._ufunc.reduce(np.asarray(parts, dtype=np.float64)))

    def _level_buffer(self, level: int, size: int) -> FloatArray:
        if level > len(self._levels):
            self._levels.append(np.empty(max(size, 1), dtype=np.float64))
        buffer = self._levels[level - 1]
        if size > len(buffer):
            grown = np.empty(max(size, 2 * len(buffer)), dtype=np.float64)
            grown[: len(buffer)] = buffer
            self._levels[level - 1] = grown
            buffer = grown
        return buffer

    def _reduce_into(
        self, previous: FloatArray, previous_size: int, out: FloatArray, first: int
    ) -> None:
        pairs = previous_size // 2
        if first < pairs:
            self._ufunc(
                previous[2 * first : 2 * pairs : 2],
                previous[2 * first + 1 : 2 * pairs : 2],
                out=out[first:pairs],
            )
        if previous_size % 2:
            out[pairs] = previous[previous_size - 1]
