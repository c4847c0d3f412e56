"""Backends build the workers' state once per payload and keep results in item order."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np
import pandas as pd

from app.research.backends import InlineBackend, LocalBackend, batches, same_payload
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


def _record_setup(folder: str) -> str:
    with (Path(folder) / "setups.txt").open("a", encoding="utf-8") as log:
        log.write(f"{os.getpid()}\n")
    return folder


def _square(state: str, item: int) -> int:
    return item * item


def test_process_pool_sets_up_each_worker_once_not_per_task(tmp_path: Path) -> None:
    with LocalBackend(2) as backend:
        first = backend.map(_record_setup, str(tmp_path), _square, list(range(200)))
        second = backend.map(_record_setup, str(tmp_path), _square, list(range(50)))
    assert first == [item * item for item in range(200)]
    assert second == [item * item for item in range(50)]
    setups = (tmp_path / "setups.txt").read_text(encoding="utf-8").split()
    assert 1 <= len(setups) <= 2
    assert len(set(setups)) == len(setups)
