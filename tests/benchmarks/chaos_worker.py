"""Chaos worker: an order-submitting engine process the chaos driver SIGKILLs and restarts.

Run as ``python -m tests.benchmarks.chaos_worker <config.json>``. The config names the SQLite
URL, the ccxt config of the emulator, the venue label, the seed and how many orders the store
must hold before the worker stops. Each start reconciles first (crash recovery), then keeps
submitting a seeded mix of market orders, resting limit orders and cancels through the real
order path until the target is reached, reconciling every ``reconcile_every`` orders.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.core.enums import OrderType, Side
from app.core.errors import CryptobotError, RiskRejected
from app.engine.exchange_breaker import ExchangeCircuitBreaker
from app.engine.executor import OrderRequest
from app.engine.order_path import OrderPath, build_order_path
from app.engine.portfolio import Portfolio
from app.exchange.ccxt_adapter import CcxtExchange
from app.exchange.retry import RetryPolicy
from app.storage.database import Database
from app.storage.repositories import OrderRepository

SYMBOL = "BTC/USDT"
AMOUNT = Decimal("0.0005")
TICK = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """What one worker process does."""

    db_url: str
    ccxt_config: dict[str, Any]
    venue: str
    seed: int
    target_orders: int
    reconcile_every: int = 40

    @classmethod
    def read(cls, path: Path) -> WorkerConfig:
        """Load the JSON written by the driver."""
        return cls(**json.loads(path.read_text(encoding="utf-8")))


def build_exchange(config: WorkerConfig) -> CcxtExchange:
    """ccxt on the emulator with quick retries (the faults are frequent by design)."""
    return CcxtExchange(
        "binance",
        config.ccxt_config,
        retry_policy=RetryPolicy(attempts=5, base_delay=0.02, max_delay=0.2, max_retry_after=5),
        lookup_delay=0.05,
        poll_interval=0.2,
    )


async def next_request(
    path: OrderPath, rng: random.Random, index: int, seed: int
) -> OrderRequest | None:
    """The index-th request of the seeded mix (None: cancel an open order instead)."""
    roll = rng.random()
    side = Side.BUY if rng.random() < 0.5 else Side.SELL
    correlation_id = f"chaos-{seed}-{index}"
    if roll < 0.1:
        return None
    if roll < 0.4:
        price = await current_price(path, watch=rng.random() < 0.2)
        offset = TICK * rng.randint(1, 800)
        limit = price - offset if side is Side.BUY else price + offset
        return OrderRequest(
            SYMBOL, side, OrderType.LIMIT, AMOUNT, limit, correlation_id=correlation_id
        )
    return OrderRequest(SYMBOL, side, OrderType.MARKET, AMOUNT, correlation_id=correlation_id)


async def current_price(path: OrderPath, *, watch: bool) -> Decimal:
    """Last price: the next websocket update when ``watch`` (briefly), else a REST ticker."""
    exchange = path.tracker.exchange
    if watch:
        try:
            async with asyncio.timeout(0.3):
                return await exchange.watch_ticker(SYMBOL)
        except (TimeoutError, CryptobotError):
            pass
    return await exchange.fetch_ticker(SYMBOL)


async def cancel_one(path: OrderPath, rng: random.Random) -> None:
    """Cancel a random resting order (errors are the chaos; reconciliation sorts them out)."""
    resting = [o for o in path.tracker.active() if o.exchange_order_id is not None]
    if not resting:
        return
    try:
        await path.executor.cancel(rng.choice(resting).client_order_id)
    except CryptobotError as exc:
        logging.getLogger(__name__).info("cancel failed: %s", exc)


async def main_async(config: WorkerConfig) -> int:
    """Reconcile, then submit until the store holds ``target_orders`` orders."""
    database = Database(config.db_url)
    exchange = build_exchange(config)
    path = build_order_path(
        exchange,
        database,
        config.venue,
        portfolio=Portfolio("USDT"),
        symbols=(SYMBOL,),
        breaker=ExchangeCircuitBreaker(exchange.exchange_id, cooldown=0.5),
    )
    try:
        await path.start()
        count = len(OrderRepository(database).list_all(config.venue))
        rng = random.Random(config.seed * 1_000_003 + count)
        while count < config.target_orders:
            try:
                request = await next_request(path, rng, count, config.seed)
            except CryptobotError as exc:  # the price read failed after its retries
                logging.getLogger(__name__).warning("no price: %s", exc)
                await asyncio.sleep(0.05)
                continue
            if request is None:
                await cancel_one(path, rng)
                continue
            try:
                await path.executor.submit(request)
            except RiskRejected:
                await asyncio.sleep(0.05)
                continue
            count += 1
            if count % config.reconcile_every == 0:
                await path.reconciler.reconcile()
        await path.reconciler.reconcile()
    finally:
        path.close()
        await exchange.close()
        database.dispose()
    return 0


def main(argv: list[str]) -> int:
    """Entry point: ``python -m tests.benchmarks.chaos_worker <config.json>``."""
    logging.basicConfig(level=logging.ERROR, stream=sys.stderr)
    config = WorkerConfig.read(Path(argv[1]))
    return asyncio.run(main_async(config))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
