"""The system-level kill switch: stop everything until a person resets it.

Engaging it moves the ``kill_switch`` breaker to HALTED; from then on
:meth:`app.risk.manager.RiskManager.check` refuses every order except the flattening orders
built by :func:`flatten_intents` (checked with ``flatten=True``). Cancelling open orders and
closing positions is the engine's job: it calls :meth:`RiskManager.engage_kill_switch`, cancels
every open order and, when ``limits.close_positions_on_kill`` is set, submits the flattening
orders.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from app.core.enums import BreakerState, OrderType, Side
from app.core.events import BreakerStateChanged
from app.risk.breakers import BreakerCell
from app.risk.context import OrderIntent

KILL_SWITCH = "kill_switch"


class KillSwitch:
    """Latched HALTED state with the reason and time it was engaged."""

    __slots__ = ("cell",)

    def __init__(self) -> None:
        """Start disengaged (ACTIVE)."""
        self.cell = BreakerCell(KILL_SWITCH, "system")

    @property
    def engaged(self) -> bool:
        """True while every new order must be refused."""
        return self.cell.state is BreakerState.HALTED

    def engage(self, reason: str, timestamp: int) -> list[BreakerStateChanged]:
        """Halt everything; engaging it again changes nothing.

        Args:
            reason: why (shown to the user and written to the audit log).
            timestamp: ms UTC.

        Returns:
            The transition event, or an empty list when already engaged.
        """
        return self.cell.move(BreakerState.HALTED, f"kill switch engaged: {reason}", timestamp)

    def reset(self, timestamp: int) -> list[BreakerStateChanged]:
        """A person releases the kill switch; orders are evaluated normally again."""
        return self.cell.move(BreakerState.ACTIVE, "kill switch reset by user", timestamp)


def flatten_intents(
    positions: Mapping[str, Decimal], timestamp: int, *, strategy_id: str | None = None
) -> list[OrderIntent]:
    """Market orders that close every open position, sorted by symbol.

    Args:
        positions: signed quantity per symbol.
        timestamp: ms UTC to stamp the intents with.
        strategy_id: owner recorded on the intents (``None`` for the account).

    Returns:
        One reducing market order per non-zero position.
    """
    return [
        OrderIntent(
            symbol=symbol,
            side=Side.SELL if quantity > 0 else Side.BUY,
            order_type=OrderType.MARKET,
            amount=abs(quantity),
            price=None,
            strategy_id=strategy_id,
            timestamp=timestamp,
        )
        for symbol, quantity in sorted(positions.items())
        if quantity
    ]
