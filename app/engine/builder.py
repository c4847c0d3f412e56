"""build_engine: wire one account's engine from the settings (used by app.main and the CLI).

- offline: the paper exchange on the bundled replay data, played by the replay driver (no
  network); the simulated account lives in its own SQLite file (``paper-offline.sqlite``), as an
  exchange keeps its own books, while our orders, fills and audit log go to the app database;
- paper: the paper exchange on live prices of the configured exchange;
- testnet / live: the ccxt adapter with the keys from the secret store (live needs
  ``general.live_confirmed``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from app.config.paths import AppPaths
from app.config.schema import Settings
from app.config.settings import database_url
from app.core.enums import TradingMode
from app.core.errors import ConfigError, SecretStoreError
from app.core.ports import ExchangePort, SecretStorePort
from app.engine.bus import CoalescingQueue, EventBus
from app.engine.engine import Engine
from app.engine.engine_parts import EngineParts
from app.engine.facade import EngineFacade
from app.engine.order_path import build_order_path
from app.engine.portfolio import Portfolio
from app.engine.replay_driver import ReplayDriver
from app.exchange.credentials import Credentials
from app.exchange.factory import (
    SystemClock,
    ccxt_exchange_from_settings,
    demo_feed,
    replay_resume_point,
)
from app.exchange.paper import PaperExchange
from app.exchange.paper_storage import StoragePaperLedger
from app.observability.redaction import register_secret
from app.risk.manager import RiskManager
from app.security.api_keys import load_credentials
from app.storage.database import Database
from app.storage.repositories import OrderRepository
from app.strategies.registry import StrategyRegistry, default_registry

logger = logging.getLogger(__name__)

_BPS = 10_000


def build_engine(
    settings: Settings,
    paths: AppPaths,
    *,
    exchange: ExchangePort | None = None,
    secret_store: SecretStorePort | None = None,
    mode: TradingMode | None = None,
    demo_dir: Path | None = None,
    window: int = 1000,
    registry: StrategyRegistry | None = None,
) -> EngineFacade:
    """The engine for ``settings``, stopped, behind its facade.

    Args:
        settings: the app settings (mode, exchange, risk, paper account, replay).
        paths: the application's directories (database, paper account file).
        exchange: use this exchange instead of building one (tests, emulator).
        secret_store: where testnet/live API keys are read from.
        mode: overrides ``settings.general.mode``.
        demo_dir: folder of the offline candles (default: ``resources/demo``).
        window: bars each strategy instance keeps.
        registry: the strategies the engine may run (default: the built-ins plus the user
            strategies in ``paths.strategies_dir``; load problems are logged).

    Returns:
        The facade; call ``start()`` to connect and trade.

    Raises:
        ConfigError: live trading not confirmed, or keys missing for testnet/live.
        StorageError: the database cannot be opened or migrated.
        DataError: the offline candle file is missing or malformed.
    """
    chosen = mode or settings.general.mode
    if chosen is TradingMode.LIVE and not settings.general.live_confirmed:
        raise ConfigError(
            "general.live_confirmed: live trading has not been confirmed; confirm live trading "
            "in the app (Settings > General) first, or run in paper mode"
        )
    # The order path commits before every request: keep WAL checkpoints (and their fsync) off it.
    database = Database(database_url(settings, paths), background_checkpoint=True)
    database.migrate()
    closers = [database.dispose]
    clock = SystemClock().now_ms
    replay: ReplayDriver | None = None
    paper: PaperExchange | None = None
    if exchange is None:
        paper_modes = (TradingMode.OFFLINE, TradingMode.PAPER)
        if chosen in paper_modes:
            ledger_db = Database(
                f"sqlite:///{(paths.data_dir / f'paper-{chosen.value}.sqlite').as_posix()}"
            )
            ledger_db.migrate()
            closers.append(ledger_db.dispose)
            ledger = StoragePaperLedger(ledger_db, chosen.value)
            account = settings.paper
            slippage = account.slippage_bps / _BPS
            if chosen is TradingMode.OFFLINE:
                feed = demo_feed(settings, demo_dir, replay_resume_point(ledger))
                speed = settings.replay.speed
                replay = ReplayDriver(feed, speed=speed if speed > 0 else None)
                clock = feed.clock.now_ms
                paper = PaperExchange(
                    replay,
                    ledger,
                    feed.clock,
                    initial_balances=account.initial_balances,
                    slippage=slippage,
                    fee_rate=account.fee_rate,
                    match_on_reads=False,
                    exchange_id="offline",
                )
            else:
                paper = PaperExchange(
                    ccxt_exchange_from_settings(settings),
                    ledger,
                    SystemClock(),
                    initial_balances=account.initial_balances,
                    slippage=slippage,
                    fee_rate=account.fee_rate,
                )
            exchange = paper
        else:
            exchange = ccxt_exchange_from_settings(
                settings,
                credentials=_credentials(settings, secret_store),
                sandbox=True if chosen is TradingMode.TESTNET else None,
            )
    venue = f"{exchange.exchange_id}:{chosen.value}"
    bus = EventBus()
    portfolio = Portfolio(settings.general.quote_currency)
    path = build_order_path(
        exchange,
        database,
        venue,
        bus=bus,
        portfolio=portfolio,
        symbols=settings.general.symbols if replay is None else (settings.replay.symbol,),
        clock=clock,
    )
    parts = EngineParts(
        mode=chosen,
        exchange=exchange,
        tracker=path.tracker,
        executor=path.executor,
        reconciler=path.reconciler,
        audit=path.audit,
        breaker=path.breaker,
        portfolio=portfolio,
        risk=RiskManager(settings.risk, now_ms=clock),
        bus=bus,
        registry=registry if registry is not None else _registry_with_user_strategies(paths),
        orders=OrderRepository(database),
        quote_currency=settings.general.quote_currency,
        clock=clock,
        replay=replay,
        paper=paper if replay is not None else None,
        window=window,
        closers=closers,
        symbols=tuple(settings.general.symbols) if replay is None else (settings.replay.symbol,),
        timeframe=settings.general.timeframe if replay is None else settings.replay.timeframe,
    )
    logger.info("engine built: %s mode, venue %s, database %s", chosen, venue, database)
    return EngineFacade(Engine(parts, CoalescingQueue()))


def _registry_with_user_strategies(paths: AppPaths) -> StrategyRegistry:
    registry = default_registry()
    if paths.strategies_dir.is_dir():
        for problem in registry.load_user_strategies(paths.strategies_dir):
            logger.warning("user strategy not loaded: %s", problem)
    return registry


def _credentials(settings: Settings, store: SecretStorePort | None) -> Credentials:
    reference = settings.exchange.api_key_ref
    if store is None or not reference:
        raise ConfigError(
            f"exchange.api_key_ref: testnet and live trading need an API key for "
            f"{settings.exchange.id}; add it in Settings > Exchange (kept in the OS keyring)"
        )
    try:
        stored = load_credentials(store, reference)
    except SecretStoreError as exc:
        raise ConfigError(str(exc)) from exc
    for value in stored.secret_values():
        register_secret(value)  # no log line may ever show them
    return Credentials(stored.api_key, stored.secret, stored.password)
