"""Fees charged in the coin bought: the dust rule, a strategy's book and the emulator's ledger."""

from __future__ import annotations

from decimal import Decimal

from app.core.enums import OrderType, Side
from app.core.models import Fill, Market
from app.engine.exit_amount import ExitPlan, plan_exit, sellable
from app.engine.portfolio import Portfolio
from app.engine.strategy_book import StrategyBook
from tests.emulator.emulator import ExchangeEmulator
from tests.engine import order_fixtures as fx
from tests.engine.order_fixtures import SYMBOL, make_exchange

exchange_emulator = fx.exchange_emulator
exchange_emulator_factory = fx.exchange_emulator_factory

D = Decimal
MARKET = Market(
    "BTC/USDT", "BTC", "USDT", D("0.01"), D("0.00001"), min_notional=D(5), min_amount=D("0.0001")
)


def fill(side: Side, amount: str, price: str, fee: str, currency: str, trade: str) -> Fill:
    return Fill(
        trade_id=trade, client_order_id=f"c{trade}", symbol=SYMBOL,
        side=side, price=D(price), amount=D(amount), fee=D(fee), fee_currency=currency,
        timestamp=int(trade) * 1000,
    )  # fmt: skip


def test_an_exit_sells_the_holding_rounded_down_and_leaves_the_rest_as_dust() -> None:
    plan = plan_exit(D("0.0122877"), None, MARKET, D(30000))
    assert plan == ExitPlan(D("0.01228"), D("0.0000077"))


def test_an_exit_never_sells_more_than_the_account_holds() -> None:
    plan = plan_exit(D("0.0123"), D("0.0122877"), MARKET, D(30000))
    assert plan.amount == D("0.01228")


def test_a_holding_below_the_minimum_amount_is_dust_and_nothing_is_sold() -> None:
    # 0.00009 BTC is worth 2.7 USDT... and below the 0.0001 minimum amount
    assert plan_exit(D("0.00009"), None, MARKET, D(30000)) == ExitPlan(D(0), D("0.00009"))
    assert sellable(D("0.00009"), MARKET, None) == 0


def test_a_holding_below_the_minimum_notional_is_dust_even_above_the_minimum_amount() -> None:
    # 0.00016 BTC at 30000 is 4.80 USDT < 5; at 31250 it is 5.00 and can be sold
    assert plan_exit(D("0.000169"), None, MARKET, D(30000)) == ExitPlan(D(0), D("0.000169"))
    assert plan_exit(D("0.000169"), None, MARKET, D(31250)) == ExitPlan(D("0.00016"), D("0.000009"))


def test_a_holding_the_account_cannot_cover_is_blocked_not_written_off() -> None:
    plan = plan_exit(D("0.01"), D("0.00005"), MARKET, D(30000))
    assert plan == ExitPlan(D(0), D(0), blocked=True)


def test_a_buy_with_its_fee_in_btc_adds_what_was_received_and_agrees_with_the_portfolio() -> None:
    book = StrategyBook("s1", SYMBOL)
    portfolio = Portfolio("USDT")
    buy = fill(Side.BUY, "0.0123", "30000", "0.0000123", "BTC", "1")
    sell = fill(Side.SELL, "0.01228", "31000", "0.38068", "USDT", "2")
    assert book.book(buy) is None
    portfolio.apply_fill(buy)
    assert book.position == portfolio.position(SYMBOL).quantity == D("0.0122877")
    assert book.book(sell) is None  # 0.0000077 BTC left: the runner writes it off as dust
    portfolio.apply_fill(sell)
    assert book.exiting
    trade = book.write_off_dust(3000)
    assert trade is not None and book.position == 0 and not book.exiting
    assert (trade.qty, trade.entry_price, trade.exit_price) == (D("0.01228"), D(30000), D(31000))
    assert (trade.entry_fee, trade.exit_fee) == (D("0.369"), D("0.38068"))
    held = portfolio.position(SYMBOL)
    assert held.quantity == D("0.0000077")
    assert trade.pnl == held.realised_pnl - portfolio.fees_paid == D("11.53032")


def test_a_sell_fee_in_quote_changes_nothing_on_the_base_side() -> None:
    book = StrategyBook("s1", SYMBOL)
    book.book(fill(Side.BUY, "0.01", "30000", "0.3", "USDT", "1"))
    trade = book.book(fill(Side.SELL, "0.01", "30000", "0.3", "USDT", "2"))
    assert trade is not None and trade.pnl == D("-0.6") and book.position == 0


async def test_the_emulator_charges_a_buy_in_btc_and_a_sell_in_usdt_when_asked(
    exchange_emulator: ExchangeEmulator,
) -> None:
    emulator = exchange_emulator
    emulator.set_price(SYMBOL, "30000")
    emulator.set_fee_asset("received")
    exchange = make_exchange(emulator)
    try:
        await exchange.load_markets()
        market = OrderType.MARKET
        buy = await exchange.create_order("b1", SYMBOL, Side.BUY, market, D("0.0123"))
        sell = await exchange.create_order("s1", SYMBOL, Side.SELL, market, D("0.01228"))
        trades = await exchange.fetch_my_trades(SYMBOL)
    finally:
        await exchange.close()
    assert (buy.filled, sell.filled) == (D("0.0123"), D("0.01228"))
    assert [(t.fee, t.fee_currency) for t in trades] == [
        (D("0.0000123"), "BTC"),
        (D("0.36840000"), "USDT"),
    ]
    assert emulator.balance("BTC") == (D("0.5000077"), D(0))
    assert emulator.balance("USDT") == (D("10000") - D("369") + D("368.4") - D("0.3684"), D(0))
