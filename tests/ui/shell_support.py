"""Helpers for the shell/panel tests: a real offline engine (paper exchange on the replay feed)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from app.config.paths import AppPaths, resolve_paths
from app.config.schema import Settings
from app.engine.builder import build_engine
from app.engine.facade import EngineFacade
from app.engine.specs import StrategySpec

#: Fast enough that the replay produces trades within a second, slow enough to watch live.
FAST_REPLAY_SPEED = 3600.0 * 400

SMA_SPEC = StrategySpec(
    "sma_cross",
    "BTC/USDT",
    "1h",
    {},
    {"kind": "fixed_quote", "amount": "500"},
)


def offline_settings(speed: float = FAST_REPLAY_SPEED) -> Settings:
    """Default settings (offline paper mode) with a fast replay."""
    settings = Settings()
    return dataclasses.replace(settings, replay=dataclasses.replace(settings.replay, speed=speed))


def offline_engine(speed: float = FAST_REPLAY_SPEED) -> tuple[EngineFacade, AppPaths, Settings]:
    """A stopped offline engine in the test's CRYPTOBOT_HOME."""
    paths = resolve_paths()
    paths.ensure()
    settings = offline_settings(speed)
    return build_engine(settings, paths), paths, settings


def wait_result(future: object, timeout: float = 20.0) -> object:
    """The result of a facade future (tests only; the UI never blocks on one)."""
    result: Callable[[float], object] = future.result  # type: ignore[attr-defined]
    return result(timeout)
