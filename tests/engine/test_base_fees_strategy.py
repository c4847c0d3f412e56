"""A strategy on a venue that charges a buy's fee in the coin bought (Binance's default).

The strategy runner is wired to the real order path on the emulator (real ccxt, SQLite), with
the harness of ``test_partial_fills_strategy``. The emulator charges a BUY's fee in BTC, so an
entry of 0.0123 BTC leaves 0.0122877 BTC in the account: the exit sells 0.01228 (the step is
0.00001) and 0.0000077 BTC, below the 5 USDT minimum notional, stays as dust.
"""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest

from app.core.enums import OrderStatus, OrderType, Side
from app.core.events import Alert
from app.engine.account import Account
from app.engine.candle_book import CandleBook
from app.engine.executor import OrderRequest
from app.engine.portfolio import Portfolio
from app.engine.read_model import ReadModel
from app.engine.strategy_runner import StrategyRunner
from app.risk.manager import RiskManager
from app.strategies import StrategyRegistry
from tests.emulator.emulator import ExchangeEmulator
from tests.engine import order_fixtures as fx
from tests.engine.engine_harness import PERMISSIVE_LIMITS
from tests.engine.order_fixtures import SYMBOL, EventLog, PathFactory
from tests.engine.test_partial_fills_strategy import ENTER, EXIT, EnterExit, Rig, rig

database = fx.database
emulator = fx.emulator
exchange_emulator = fx.exchange_emulator
exchange_emulator_factory = fx.exchange_emulator_factory
make_path = fx.make_path

D = Decimal
DUST_LOG = "BTC/USDT: 0.00000770 BTC left as dust below the minimum order"


def portfolio_of(bench: Rig) -> Portfolio:
    portfolio = bench.path.tracker.portfolio
    assert portfolio is not None
    return portfolio


def sells(bench: Rig) -> list[tuple[D, OrderStatus]]:
    return [(o.amount, o.status) for o in bench.path.tracker.orders() if o.side is Side.SELL]


async def restarted(bench: Rig) -> Rig:
    """A new runner on the same order path whose instance is restored from the stored state."""
    path = bench.path
    view = ReadModel()
    view.set_markets(await path.tracker.exchange.load_markets())
    account = Account(portfolio_of(bench), path.tracker, view, CandleBook())
    registry = StrategyRegistry()
    registry.register(EnterExit)
    runner = StrategyRunner(
        path.executor, RiskManager(PERMISSIVE_LIMITS), account, path.bus.publish, registry
    )
    (spec,) = bench.runner.specs().values()
    strategy_id = runner.add(spec)
    assert strategy_id == bench.strategy_id
    assert runner.restore(strategy_id, path.tracker.orders(), path.tracker.fills()) == 4
    return Rig(path, runner, strategy_id)


def dust_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "left as dust" in r.getMessage()]


def assert_books_match_the_venue(bench: Rig, emulator: ExchangeEmulator) -> None:
    """Realised P&L, fees, cash and the BTC left: the portfolio equals the venue's ledger."""
    portfolio = portfolio_of(bench)
    trades = emulator.snapshot().trades
    in_usdt = [t.commission * (t.price if t.commission_asset == "BTC" else 1) for t in trades]
    fees = sum(in_usdt, D(0))
    bought = sum((t.qty for t in trades if t.side == "BUY"), D(0))
    sold = sum((t.qty for t in trades if t.side == "SELL"), D(0))
    base_fees = sum((t.commission for t in trades if t.commission_asset == "BTC"), D(0))
    assert portfolio.fees_paid == fees
    assert portfolio.cash - D(10000) == emulator.balance("USDT")[0] - D(10000)
    held = portfolio.position(SYMBOL)
    assert held.quantity == bought - base_fees - sold == sum(emulator.balance("BTC")) - D("0.5")
    realised = sum(((t.price - D(30000)) * t.qty for t in trades if t.side == "SELL"), D(0))
    assert held.realised_pnl == realised
    strategy_pnl = sum((t.pnl for t in bench.runner.trades(bench.strategy_id)), D(0))
    assert strategy_pnl == held.realised_pnl - portfolio.fees_paid


async def test_an_exit_sells_the_net_amount_rounded_down_and_leaves_only_dust(
    make_path: PathFactory, emulator: ExchangeEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.engine.exit_amount")
    emulator.set_fee_asset("received")
    bench = await rig(make_path, "0.0123")
    alerts = EventLog(bench.path.bus)
    await bench.close_bar(ENTER)
    (entry,) = bench.path.tracker.fills()
    assert (entry.amount, entry.fee, entry.fee_currency) == (D("0.0123"), D("0.0000123"), "BTC")
    assert bench.position() == D("0.0122877")

    emulator.set_price(SYMBOL, "31000")
    await bench.close_bar(EXIT)
    assert sells(bench) == [(D("0.01228"), OrderStatus.FILLED)]
    assert bench.position() == 0
    assert sum(emulator.balance("BTC")) == D("0.5000077")
    assert dust_lines(caplog) == [DUST_LOG]
    assert alerts.of(Alert) == []
    (trade,) = bench.runner.trades(bench.strategy_id)
    assert (trade.qty, trade.entry_price, trade.exit_price) == (D("0.01228"), D(30000), D(31000))
    assert (trade.entry_fee, trade.exit_fee) == (D("0.369"), D("0.38068"))
    assert trade.pnl == D("11.53032")
    assert_books_match_the_venue(bench, emulator)
    # the venue's cash P&L is the trade's P&L less the cost of the dust kept
    assert emulator.balance("USDT")[0] - D(10000) == trade.pnl - D("0.0000077") * D(30000)


async def test_a_second_cycle_enters_again_and_leaves_the_first_cycles_dust_alone(
    make_path: PathFactory, emulator: ExchangeEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.engine.exit_amount")
    emulator.set_fee_asset("received")
    bench = await rig(make_path, "0.0123")
    for _ in range(2):
        emulator.set_price(SYMBOL, "30000")
        await bench.close_bar(ENTER)
        assert bench.position() == D("0.0122877")
        emulator.set_price(SYMBOL, "31000")
        await bench.close_bar(EXIT)
        assert bench.position() == 0
    assert sells(bench) == [(D("0.01228"), OrderStatus.FILLED)] * 2
    assert sum(emulator.balance("BTC")) == D("0.5000154")
    assert portfolio_of(bench).position(SYMBOL).quantity == D("0.0000154")
    assert dust_lines(caplog) == [DUST_LOG] * 2
    assert [t.pnl for t in bench.runner.trades(bench.strategy_id)] == [D("11.53032")] * 2
    await bench.close_bar(EXIT)  # flat: the dust is never sold
    assert len(sells(bench)) == 2
    assert_books_match_the_venue(bench, emulator)

    again = await restarted(bench)  # the stored fills rebuild two round trips, flat
    assert again.position() == 0
    assert [t.pnl for t in again.runner.trades(again.strategy_id)] == [D("11.53032")] * 2
    assert dust_lines(caplog) == [DUST_LOG] * 2


async def test_partial_fills_with_fees_in_btc_exit_in_pieces_down_to_dust(
    make_path: PathFactory, emulator: ExchangeEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.engine.exit_amount")
    emulator.set_fee_asset("received")
    bench = await rig(make_path, "0.0123")
    emulator.set_fill_limit(SYMBOL, "0.005")  # the buy fills 0.005 (fee 0.000005 BTC), expires
    await bench.close_bar(ENTER)
    (entry,) = bench.path.tracker.orders()
    assert (entry.status, entry.filled) == (OrderStatus.EXPIRED, D("0.005"))
    assert bench.position() == D("0.004995")

    emulator.set_price(SYMBOL, "31000")
    emulator.set_fill_limit(SYMBOL, "0.003")  # the exit of 0.00499 fills 0.003, expires
    await bench.close_bar(EXIT)
    assert sells(bench) == [(D("0.00499"), OrderStatus.EXPIRED)]
    assert bench.position() == D("0.001995")  # 59.85 USDT: still a position, not dust
    assert dust_lines(caplog) == []

    await bench.close_bar(EXIT)
    assert sells(bench)[1:] == [(D("0.00199"), OrderStatus.FILLED)]
    assert bench.position() == 0
    assert sum(emulator.balance("BTC")) == D("0.500005")
    assert dust_lines(caplog) == ["BTC/USDT: 0.00000500 BTC left as dust below the minimum order"]
    (trade,) = bench.runner.trades(bench.strategy_id)
    assert trade.qty == D("0.00499")
    assert_books_match_the_venue(bench, emulator)


async def test_an_exit_never_sells_more_than_the_account_holds_after_a_manual_sell(
    make_path: PathFactory, emulator: ExchangeEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="app.engine")
    emulator.set_fee_asset("received")
    bench = await rig(make_path, "0.0123")
    await bench.close_bar(ENTER)
    manual = OrderRequest(SYMBOL, Side.SELL, OrderType.MARKET, D("0.005"))
    await bench.path.executor.submit(manual)  # the user sells part of the strategy's coins
    assert portfolio_of(bench).position(SYMBOL).quantity == D("0.0072877")

    await bench.close_bar(EXIT)
    assert sells(bench)[1:] == [(D("0.00728"), OrderStatus.FILLED)]
    assert bench.position() == D("0.0050077")  # still a position: not dust

    await bench.close_bar(EXIT)  # the account holds only 0.0000077 of it: nothing is sent
    assert len(sells(bench)) == 2
    assert bench.position() == D("0.0050077")
    assert dust_lines(caplog) == []
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "exit of 0.0050077 BTC not placed: the account holds only 0.0000077 BTC" in warning
