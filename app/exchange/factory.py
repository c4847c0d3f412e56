"""Build the right ExchangePort for a trading mode (called by the composition root and the CLI).

- offline: the paper exchange on the replay feed of the bundled demo candles (no network);
- paper: the paper exchange on live prices from the configured ccxt exchange (no keys);
- testnet / live: the ccxt adapter with the user's keys (testnet forces sandbox mode).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.config.paths import resource_path
from app.config.schema import Settings
from app.core.enums import TradingMode
from app.core.errors import ConfigError
from app.core.events import Event, TickerUpdated
from app.core.ports import ExchangePort
from app.core.time import now_ms
from app.exchange.ccxt_config import merge_ccxt_config
from app.exchange.credentials import Credentials
from app.exchange.paper import PaperExchange
from app.exchange.paper_ledger import PaperLedger
from app.exchange.replay import ReplayFeed
from app.exchange.replay_data import load_csv_series

if TYPE_CHECKING:  # ccxt takes seconds to import; offline mode never needs it
    from app.exchange.ccxt_adapter import CcxtExchange

logger = logging.getLogger(__name__)

_BPS = Decimal(10000)


def ccxt_exchange_from_settings(
    settings: Settings,
    *,
    credentials: Credentials | None = None,
    ccxt_overrides: Mapping[str, Any] | None = None,
    sandbox: bool | None = None,
    **options: Any,
) -> CcxtExchange:
    """The ccxt adapter for ``settings.exchange``.

    Args:
        settings: the app settings.
        credentials: API keys (None for public data only).
        ccxt_overrides: merged over ``settings.exchange.ccxt_config`` for this run.
        sandbox: overrides ``settings.exchange.sandbox`` when given.
        options: further keyword arguments of :class:`CcxtExchange`.
    """
    from app.exchange.ccxt_adapter import CcxtExchange

    return CcxtExchange(
        settings.exchange.id,
        merge_ccxt_config(settings.exchange.ccxt_config, ccxt_overrides),
        credentials=credentials,
        sandbox=settings.exchange.sandbox if sandbox is None else sandbox,
        **options,
    )


async def open_offline_exchange(
    feed: ReplayFeed,
    ledger: PaperLedger,
    *,
    initial_balances: Mapping[str, Decimal] | None = None,
    slippage: Decimal = Decimal("0.0005"),
    fee_rate: Decimal | None = None,
) -> PaperExchange:
    """The paper exchange trading on ``feed``: every replayed tick is matched against orders.

    The playback starts on the first ``watch_ticker`` (or ``feed.start()``).
    """
    paper = PaperExchange(
        feed,
        ledger,
        feed.clock,
        initial_balances=initial_balances,
        slippage=slippage,
        fee_rate=fee_rate,
        match_on_reads=False,
        exchange_id="offline",
    )

    def on_event(event: Event) -> None:
        if isinstance(event, TickerUpdated):
            paper.on_price(event.symbol, event.last, event.timestamp)

    feed.subscribe(on_event)
    await paper.load_markets()
    return paper


def demo_feed(
    settings: Settings, demo_dir: Path | None = None, start_ms: int | None = None
) -> ReplayFeed:
    """The replay feed of ``settings.replay`` on the bundled demo candles.

    Args:
        settings: the app settings.
        demo_dir: folder of the candle file (default: ``resources/demo``).
        start_ms: play candles opening at or after this time (default: from the start).

    Raises:
        DataError: the demo file is missing or malformed.
    """
    replay = settings.replay
    directory = demo_dir if demo_dir is not None else resource_path("demo")
    series = load_csv_series(directory / replay.data_file, replay.symbol, replay.timeframe)
    return ReplayFeed(
        [series],
        speed=replay.speed if replay.speed > 0 else None,
        start_ms=start_ms,
        exchange_id=replay.exchange,
    )


def replay_resume_point(ledger: PaperLedger) -> int | None:
    """Where an offline session continues: just after the account's newest activity.

    The offline clock is the replay time, so a restarted session resumes the replay after the
    last order update or fill instead of replaying earlier prices onto later history.
    """
    stamps = [order.updated_at for order in ledger.load_orders()]
    stamps += [fill.timestamp for fill in ledger.load_fills()]
    return max(stamps) + 1 if stamps else None


async def open_exchange(
    settings: Settings,
    ledger: PaperLedger,
    *,
    mode: TradingMode | None = None,
    credentials: Credentials | None = None,
    ccxt_overrides: Mapping[str, Any] | None = None,
    demo_dir: Path | None = None,
) -> ExchangePort:
    """The ExchangePort for ``mode`` (default: ``settings.general.mode``).

    Args:
        settings: the app settings.
        ledger: persistence of the simulated account (offline and paper modes).
        mode: overrides the settings' mode.
        credentials: API keys, required for testnet and live.
        ccxt_overrides: merged over the settings' ``ccxt_config`` for this run.
        demo_dir: folder of the offline candles (default: ``resources/demo``).

    Raises:
        ConfigError: keys missing for testnet/live, or live trading not confirmed.
    """
    chosen = mode or settings.general.mode
    paper = settings.paper
    slippage = paper.slippage_bps / _BPS
    if chosen is TradingMode.OFFLINE:
        return await open_offline_exchange(
            demo_feed(settings, demo_dir, replay_resume_point(ledger)),
            ledger,
            initial_balances=paper.initial_balances,
            slippage=slippage,
            fee_rate=paper.fee_rate,
        )
    if chosen is TradingMode.PAPER:
        prices = ccxt_exchange_from_settings(settings, ccxt_overrides=ccxt_overrides)
        return PaperExchange(
            prices,
            ledger,
            SystemClock(),
            initial_balances=paper.initial_balances,
            slippage=slippage,
            fee_rate=paper.fee_rate,
        )
    if credentials is None:
        raise ConfigError(
            f"{chosen} mode needs API keys for {settings.exchange.id}; add them in the "
            "settings (they are kept in the OS keyring)"
        )
    if chosen is TradingMode.LIVE and not settings.general.live_confirmed:
        raise ConfigError(
            "general.live_confirmed: live trading has not been confirmed; type the "
            "confirmation in the settings first"
        )
    return ccxt_exchange_from_settings(
        settings,
        credentials=credentials,
        ccxt_overrides=ccxt_overrides,
        sandbox=True if chosen is TradingMode.TESTNET else settings.exchange.sandbox,
    )


class SystemClock:
    """The wall clock in ms UTC (paper trading on live prices)."""

    def now_ms(self) -> int:
        """Current time in ms UTC."""
        return now_ms()
