"""The research workers' allocator setting applies on glibc and is a no-op elsewhere."""

from __future__ import annotations

import sys

import pytest

from app.research import allocator


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_thresholds_are_raised_once_on_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(allocator, "_tuned", False)
    assert allocator.prefer_heap_for_large_arrays() is True
    assert allocator.prefer_heap_for_large_arrays() is True


def test_other_platforms_are_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(allocator, "_tuned", False)
    monkeypatch.setattr(allocator.sys, "platform", "win32")
    assert allocator.prefer_heap_for_large_arrays() is False
