"""Opt-in memory of indicator results, for jobs that compute the same indicator many times.

A parameter search recomputes the same few moving averages for every combination (a 10 x 18
sma_cross grid asks for 348 SMAs of only 28 distinct lengths). Inside
``with remembered(memo):`` every public indicator first looks for an earlier call with the same
parameters and inputs *equal in content* (compared element by element, NaN equal to NaN), so a
hit can never return the result of different data, whatever object or copy the caller passes.
Callers get their own copy of a remembered result, so mutating it cannot poison the memory.

Outside such a block (live trading, backtests, the UI) indicators compute as usual; the only
cost is one context-variable lookup per call.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import numpy as np
import pandas as pd

__all__ = ["IndicatorMemo", "memoized", "remembered"]

P = ParamSpec("P")
R = TypeVar("R")

_SCALARS = (bool, int, float, str, np.integer, np.floating)
_DEFAULT_BUDGET_BYTES = 256 * 1024 * 1024
_active: ContextVar[IndicatorMemo | None] = ContextVar("indicator_memo", default=None)


@dataclass(frozen=True, slots=True)
class _Entry:
    inputs: tuple[np.ndarray, ...]
    result: Any
    size: int


class IndicatorMemo:
    """Least-recently-used memory of indicator results, bounded in bytes; thread-safe.

    A Dask worker runs several tasks at once on threads sharing one evaluator (and so one
    memo): lookups and insertions hold a lock, the indicator itself computes outside it.

    Args:
        budget_bytes: the most memory the remembered inputs and results may take.
    """

    def __init__(self, budget_bytes: int = _DEFAULT_BUDGET_BYTES) -> None:
        self._budget = budget_bytes
        self._entries: OrderedDict[tuple[Hashable, int], _Entry] = OrderedDict()
        self._next_id = 0
        self._bytes = 0
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()

    @property
    def size_bytes(self) -> int:
        """Bytes held by the remembered inputs and results."""
        return self._bytes

    def __len__(self) -> int:
        return len(self._entries)

    def call(self, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """``func(*args, **kwargs)``, answered from memory when an equal call was made before."""
        split = _split_arguments(func, args, kwargs)
        if split is None:
            return func(*args, **kwargs)
        key, arrays = split
        with self._lock:
            for (entry_key, number), entry in reversed(self._entries.items()):
                if entry_key == key and _same_inputs(entry.inputs, arrays):
                    self._entries.move_to_end((entry_key, number))
                    self.hits += 1
                    return _copy_result(entry.result)
        result = func(*args, **kwargs)
        with self._lock:
            self.misses += 1
            self._remember(key, arrays, result)
        return result

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def _remember(self, key: Hashable, arrays: tuple[np.ndarray, ...], result: Any) -> None:
        kept_inputs = tuple(_frozen_copy(array) for array in arrays)
        kept_result = _freeze_result(result)
        if kept_result is None:
            return
        size = sum(array.nbytes for array in kept_inputs) + _result_bytes(kept_result)
        if size > self._budget:
            return
        while self._entries and self._bytes + size > self._budget:
            _, dropped = self._entries.popitem(last=False)
            self._bytes -= dropped.size
        self._entries[(key, self._next_id)] = _Entry(kept_inputs, kept_result, size)
        self._next_id += 1
        self._bytes += size


def memoized(func: Callable[P, R]) -> Callable[P, R]:
    """Let ``func`` (a pure indicator) answer from the active :class:`IndicatorMemo`, if any."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        memo = _active.get()
        if memo is None:
            return func(*args, **kwargs)
        result: R = memo.call(func, args, kwargs)
        return result

    return wrapper


@contextmanager
def remembered(memo: IndicatorMemo) -> Iterator[IndicatorMemo]:
    """Make ``memo`` the active indicator memory for the calls inside the block."""
    token = _active.set(memo)
    try:
        yield memo
    finally:
        _active.reset(token)


def _split_arguments(
    func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[Hashable, tuple[np.ndarray, ...]] | None:
    """(hashable key of the parameters and input shapes, input arrays); None if not cacheable."""
    parts: list[Hashable] = [func.__module__, func.__qualname__]
    arrays: list[np.ndarray] = []
    for name, value in [*enumerate(args), *sorted(kwargs.items())]:
        if isinstance(value, np.ndarray | pd.Series):
            array = np.asarray(value)
            if array.dtype.hasobject:
                return None
            arrays.append(array)
            parts.append((name, "array", array.shape, array.dtype.str))
        elif value is None or isinstance(value, _SCALARS):
            parts.append((name, type(value).__name__, value))
        else:
            return None
    return tuple(parts), tuple(arrays)


def _same_inputs(kept: tuple[np.ndarray, ...], given: tuple[np.ndarray, ...]) -> bool:
    for old, new in zip(kept, given, strict=True):
        if not np.array_equal(old, new, equal_nan=old.dtype.kind in "fc"):
            return False
    return True


def _frozen_copy(array: np.ndarray) -> np.ndarray:
    copy = np.array(array, copy=True)
    copy.flags.writeable = False
    return copy


def _freeze_result(result: Any) -> Any:
    """A read-only copy of an array or a plain tuple of arrays; None for anything else."""
    if isinstance(result, np.ndarray):
        return _frozen_copy(result)
    if type(result) is tuple and all(isinstance(item, np.ndarray) for item in result):
        return tuple(_frozen_copy(item) for item in result)
    return None


def _copy_result(result: Any) -> Any:
    if isinstance(result, np.ndarray):
        return result.copy()
    return tuple(item.copy() for item in result)


def _result_bytes(result: Any) -> int:
    if isinstance(result, np.ndarray):
        return int(result.nbytes)
    return sum(int(item.nbytes) for item in result)
