"""What every research run shares: the strategy, the money settings and the entry sizing."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from app.backtest.config import BacktestConfig, optional_decimal
from app.backtest.sizing import DEFAULT_SYMBOL, SizeRule, default_market, sizer_rule
from app.core.errors import BacktestError
from app.core.money import DecimalLike
from app.research.fastsim import Sizing
from app.risk.limits import RiskLimits

SIZING_KINDS: tuple[str, ...] = ("size", "stake_pct", "stake_amount")


@dataclass(frozen=True, slots=True)
class ResearchSettings:
    """The fixed part of every backtest an optimisation, walk-forward or Monte Carlo runs.

    Args:
        strategy: registry name, e.g. ``"sma_cross"``.
        config: cash, fee, slippage, stops, shorts and timeframe (validated).
        sizing_kind: ``"size"`` (fixed quantity), ``"stake_pct"`` or ``"stake_amount"``.
        sizing_value: its value.
        fixed_params: strategy parameters held constant (the rest come from the search).
        strategies_dir: folder of user strategies to load in every worker, or None.
        risk_limits: check every order of every run against these limits with a fresh
            :class:`~app.risk.manager.RiskManager` (pre-trade rules and breakers, as live);
            None to trade without risk checks.
    """

    strategy: str
    config: BacktestConfig
    sizing_kind: str
    sizing_value: Decimal
    fixed_params: tuple[tuple[str, object], ...] = ()
    strategies_dir: Path | None = None
    risk_limits: RiskLimits | None = None

    @classmethod
    def create(
        cls,
        strategy: str,
        *,
        cash: DecimalLike = 10_000,
        fee: DecimalLike = "0.001",
        slippage_bps: DecimalLike = 0,
        size: DecimalLike | None = None,
        stake_pct: DecimalLike | None = None,
        stake_amount: DecimalLike | None = None,
        stop_loss_pct: DecimalLike | None = None,
        take_profit_pct: DecimalLike | None = None,
        trailing_stop_pct: DecimalLike | None = None,
        allow_short: bool = False,
        timeframe_ms: int | None = None,
        fixed_params: dict[str, object] | None = None,
        strategies_dir: Path | None = None,
        risk_limits: RiskLimits | None = None,
    ) -> ResearchSettings:
        """Validated settings from user values (strings or numbers, as the backtest takes).

        Stop distances given here (percent) override the strategy's own stop parameters,
        which override the risk limits' default stops.

        Raises:
            BacktestError: a setting is invalid or not exactly one sizing was given.
            ConfigError: the risk limits are invalid.
        """
        config = BacktestConfig(
            cash=_decimal(cash, "cash"),
            fee=_decimal(fee, "fee"),
            slippage_bps=_decimal(slippage_bps, "slippage_bps"),
            stop_loss_pct=optional_decimal(stop_loss_pct, "stop_loss_pct"),
            take_profit_pct=optional_decimal(take_profit_pct, "take_profit_pct"),
            trailing_stop_pct=optional_decimal(trailing_stop_pct, "trailing_stop_pct"),
            allow_short=allow_short,
            timeframe_ms=timeframe_ms,
        ).validated()
        given = {
            "size": optional_decimal(size, "size"),
            "stake_pct": optional_decimal(stake_pct, "stake_pct"),
            "stake_amount": optional_decimal(stake_amount, "stake_amount"),
        }
        chosen = [(kind, value) for kind, value in given.items() if value is not None]
        if len(chosen) != 1:
            raise BacktestError(
                "sizing: give exactly one of size (fixed quantity, e.g. 0.1), stake_pct "
                "(percent of equity) or stake_amount (quote currency per trade)"
            )
        kind, value = chosen[0]
        settings = cls(
            strategy=strategy,
            config=config,
            sizing_kind=kind,
            sizing_value=value,
            fixed_params=tuple(sorted((fixed_params or {}).items())),
            strategies_dir=strategies_dir,
            risk_limits=None if risk_limits is None else risk_limits.validated(),
        )
        settings.size_rule()
        return settings

    def with_fixed(self, params: dict[str, object]) -> ResearchSettings:
        """A copy holding ``params`` constant as well."""
        merged = dict(self.fixed_params)
        merged.update(params)
        return replace(self, fixed_params=tuple(sorted(merged.items())))

    def size_rule(self) -> SizeRule:
        """The engine's size rule for these settings.

        Raises:
            BacktestError: the sizing value is out of range.
        """
        market = default_market(DEFAULT_SYMBOL, self.config.qty_step, self.config.fee)
        return sizer_rule(
            size=self.sizing_value if self.sizing_kind == "size" else None,
            stake_pct=self.sizing_value if self.sizing_kind == "stake_pct" else None,
            stake_amount=self.sizing_value if self.sizing_kind == "stake_amount" else None,
            market=market,
        )

    def fast_sizing(self) -> Sizing:
        """The float sizing of the fast replay."""
        return Sizing(self.sizing_kind, float(self.sizing_value), float(self.config.qty_step))

    def describe(self) -> dict[str, object]:
        """JSON-ready settings for reports and the database."""
        config = self.config
        return {
            "strategy": self.strategy,
            "cash": str(config.cash),
            "fee": str(config.fee),
            "slippage_bps": str(config.slippage_bps),
            "allow_short": config.allow_short,
            "stop_loss_pct": _text(config.stop_loss_pct),
            "take_profit_pct": _text(config.take_profit_pct),
            "trailing_stop_pct": _text(config.trailing_stop_pct),
            self.sizing_kind: str(self.sizing_value),
            "fixed_params": dict(self.fixed_params),
            "risk_limits": _limits_text(self.risk_limits),
        }


def _limits_text(limits: RiskLimits | None) -> dict[str, object] | None:
    if limits is None:
        return None
    return {item.name: _plain(getattr(limits, item.name)) for item in dataclasses.fields(limits)}


def _plain(value: object) -> object:
    return str(value) if isinstance(value, Decimal) else value


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(value: DecimalLike, name: str) -> Decimal:
    result = optional_decimal(value, name)
    assert result is not None
    return result
