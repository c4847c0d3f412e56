"""Property: any valid amounts survive save -> load exactly (same value, same digits)."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from app.config.paths import resolve_paths
from app.config.settings import Settings, load_settings, save_settings, with_changes

amounts = st.decimals(min_value="0", max_value="1000000000", places=8)
currencies = st.sampled_from(["USDT", "BTC", "ETH", "EUR", "USDC"])


@settings(max_examples=40, deadline=None)
@given(
    balances=st.dictionaries(currencies, amounts, min_size=1, max_size=4),
    fee_rate=st.decimals(min_value="0", max_value="0.1", places=6),
    slippage=st.decimals(min_value="0", max_value="1000", places=2),
    daily_loss=st.decimals(min_value="0.01", max_value="100", places=2),
    notional=st.decimals(min_value="0.01", max_value="100000000", places=2),
)
def test_decimals_round_trip_exactly(
    balances: dict[str, Decimal],
    fee_rate: Decimal,
    slippage: Decimal,
    daily_loss: Decimal,
    notional: Decimal,
) -> None:
    original = with_changes(
        Settings(),
        {
            "paper": {
                "initial_balances": {key: str(value) for key, value in balances.items()},
                "fee_rate": str(fee_rate),
                "slippage_bps": str(slippage),
            },
            "risk": {"daily_loss_pct": str(daily_loss), "max_order_notional": str(notional)},
        },
    )
    with tempfile.TemporaryDirectory() as home:
        paths = resolve_paths({"CRYPTOBOT_HOME": home})
        save_settings(original, paths)
        loaded = load_settings(paths).settings
        assert Path(home, "config", "settings.toml").is_file()
    assert loaded == original
    assert {k: str(v) for k, v in loaded.paper.initial_balances.items()} == {
        k: str(v) for k, v in balances.items()
    }
    assert str(loaded.paper.fee_rate) == str(fee_rate)
    assert str(loaded.risk.daily_loss_pct) == str(daily_loss)
