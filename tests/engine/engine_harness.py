"""Helpers for tests that run the whole engine offline on the shared candles."""

from __future__ import annotations

import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from app.config.paths import resolve_paths
from app.config.schema import Settings
from app.engine.builder import build_engine
from app.engine.facade import EngineFacade
from app.risk.limits import RiskLimits

PERMISSIVE_LIMITS = RiskLimits(
    max_order_notional=Decimal(10_000_000),
    max_position_pct=Decimal(100),
    max_total_exposure_pct=Decimal(1000),
    daily_loss_pct=Decimal(100),
    max_drawdown_pct=Decimal(100),
    consecutive_losses=1000,
)


def offline_settings(
    data_file: str = "btc_usdt_1h.csv",
    *,
    symbol: str = "BTC/USDT",
    timeframe: str = "1h",
    speed: float = 0.0,
    slippage_bps: str = "0",
    limits: RiskLimits = PERMISSIVE_LIMITS,
    cash: int = 10_000,
) -> Settings:
    """Offline paper trading on one shared candle file: fee 0.1 %, ``cash`` USDT."""
    base = Settings()
    return replace(
        base,
        replay=replace(
            base.replay, data_file=data_file, symbol=symbol, timeframe=timeframe, speed=speed
        ),
        paper=replace(
            base.paper,
            initial_balances={"USDT": Decimal(cash)},
            fee_rate=Decimal("0.001"),
            slippage_bps=Decimal(slippage_bps),
        ),
        risk=limits,
    )


def offline_engine(settings: Settings, data_dir: Path, window: int = 1000) -> EngineFacade:
    """The engine of ``settings`` on the candles of ``data_dir``, stopped."""
    return build_engine(settings, resolve_paths(), demo_dir=data_dir, window=window)


def wait_for_replay(facade: EngineFacade, timeout: float = 120.0) -> None:
    """Block until the replay has played every candle.

    Raises:
        AssertionError: it did not finish in time, or the market data worker crashed.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        health = facade.worker_health().get("market_data")
        if health is not None and health.status == "finished":
            return
        assert health is None or health.status != "backoff", health
        time.sleep(0.05)
    raise AssertionError(f"the replay did not finish within {timeout} s")
