"""Backends build the workers' state once per payload and keep results in item order."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd

from app.research.backends import InlineBackend, batches, same_payload
from app.research.settings import ResearchSettings


def test_equal_settings_with_the_same_frame_are_the_same_payload() -> None:
    frame = pd.DataFrame({"close": [1.0, 2.0]})
    first = (frame, ResearchSettings.create("sma_cross", size="0.1"))
    second = (frame, ResearchSettings.create("sma_cross", size="0.1"))
    assert same_payload(first, second)
    assert not same_payload(first, (frame.copy(), second[1]))
    assert not same_payload(first, (frame, ResearchSettings.create("sma_cross", size="0.2")))
    array = np.arange(3.0)
    assert same_payload(array, array)
    assert not same_payload(array, array.copy())


def test_inline_backend_sets_up_once_per_payload_and_honours_cancel() -> None:
    setups: list[object] = []

    def setup(shared: object) -> object:
        setups.append(shared)
        return shared

    def task(state: object, item: int) -> tuple[object, int]:
        return state, item * 2

    backend = InlineBackend()
    assert backend.map(setup, ("a", 1), task, [1, 2]) == [(("a", 1), 2), (("a", 1), 4)]
    assert backend.map(setup, ("a", 1), task, [3]) == [(("a", 1), 6)]
    assert len(setups) == 1
    backend.map(setup, ("b", 1), task, [3])
    assert len(setups) == 2
    cancel = threading.Event()
    cancel.set()
    assert backend.map(setup, ("b", 1), task, [1], cancel=cancel) is None


def test_batches_cover_every_item_in_order() -> None:
    items = list(range(1000))
    chunks = batches(items, 2)
    assert [item for chunk in chunks for item in chunk] == items
    assert max(len(chunk) for chunk in chunks) <= 64
    assert len(chunks) >= 16
