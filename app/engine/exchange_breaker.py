"""Per-exchange circuit breaker: stop sending orders to a venue that keeps failing.

The breaker watches the outcome of every request to one exchange in a sliding time window:

- CLOSED: requests pass. When the window holds at least ``min_samples`` outcomes and the share
  of failures reaches ``error_rate``, it OPENS.
- OPEN: order submissions are refused (without contacting the venue) for ``cooldown`` seconds.
- HALF_OPEN: after the cooldown exactly one probe request is let through; its success closes
  the breaker (and clears the window), its failure opens it again for another cooldown.

A "failure" is the venue not doing its job (timeouts, 5xx, throttling, ambiguous outcomes); an
order the exchange refuses on its merits (insufficient funds, bad precision) is a success: the
venue answered. State changes are logged, published as
:class:`~app.core.events.BreakerStateChanged` (scope "exchange") and exported as the gauge
``cryptobot_exchange_breaker_state`` (0 closed, 1 half-open, 2 open).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from enum import StrEnum

from app.core.enums import BreakerState
from app.core.errors import RiskRejected
from app.core.events import BreakerStateChanged, Event
from app.core.time import now_ms
from app.observability.metrics import MetricsRegistry, default_registry

logger = logging.getLogger(__name__)


class CircuitState(StrEnum):
    """Classic circuit-breaker states."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"

    @property
    def breaker_state(self) -> BreakerState:
        """The account-wide breaker vocabulary used by events and the UI."""
        return _AS_BREAKER_STATE[self]


_AS_BREAKER_STATE = {
    CircuitState.CLOSED: BreakerState.ACTIVE,
    CircuitState.HALF_OPEN: BreakerState.REDUCING,
    CircuitState.OPEN: BreakerState.HALTED,
}
_GAUGE_VALUE = {CircuitState.CLOSED: 0.0, CircuitState.HALF_OPEN: 1.0, CircuitState.OPEN: 2.0}


class ExchangeCircuitBreaker:
    """Error-rate circuit breaker of one exchange (see the module docstring).

    Args:
        exchange_id: the venue, named in events, metrics and refusals.
        publish: receives :class:`BreakerStateChanged` events (the bus's ``publish``).
        window: seconds of history the error rate is computed over.
        error_rate: failure share (0..1] in the window that opens the breaker.
        min_samples: outcomes the window must hold before the rate is trusted.
        cooldown: seconds the breaker stays open before a probe is allowed.
        clock: ms UTC source (a fake in tests).
        metrics: registry for the state gauge (the process-wide one by default).

    Raises:
        ValueError: a setting is out of range.
    """

    def __init__(
        self,
        exchange_id: str,
        publish: Callable[[Event], None] | None = None,
        *,
        window: float = 60.0,
        error_rate: float = 0.5,
        min_samples: int = 10,
        cooldown: float = 30.0,
        clock: Callable[[], int] = now_ms,
        metrics: MetricsRegistry | None = None,
    ) -> None:
        if not 0 < error_rate <= 1:
            raise ValueError(f"error_rate: must be in (0, 1], got {error_rate}")
        if min_samples < 1 or window <= 0 or cooldown < 0:
            raise ValueError("min_samples must be >= 1, window > 0 and cooldown >= 0")
        self.exchange_id = exchange_id
        self.name = f"exchange:{exchange_id}"
        self._publish = publish
        self._window_ms = int(window * 1000)
        self._error_rate = error_rate
        self._min_samples = min_samples
        self._cooldown_ms = int(cooldown * 1000)
        self._clock = clock
        self._outcomes: deque[tuple[int, bool]] = deque()
        self._state = CircuitState.CLOSED
        self._opened_at = 0
        self._probe_in_flight = False
        self.reason = ""
        registry = metrics or default_registry()
        self._gauge = registry.gauge(
            "cryptobot_exchange_breaker_state",
            "Exchange circuit breaker: 0 closed, 1 half-open, 2 open",
            ("exchange",),
        ).labels(exchange=exchange_id)
        self._gauge.set(_GAUGE_VALUE[self._state])

    @property
    def state(self) -> CircuitState:
        """Current state (an expired cooldown turns OPEN into HALF_OPEN)."""
        if (
            self._state is CircuitState.OPEN
            and self._clock() - self._opened_at >= self._cooldown_ms
        ):
            self._move(CircuitState.HALF_OPEN, "cooldown over: one probe order may pass")
        return self._state

    def error_rate(self) -> float:
        """Share of failures among the outcomes in the current window (0 when empty)."""
        self._trim(self._clock())
        if not self._outcomes:
            return 0.0
        failures = sum(1 for _, ok in self._outcomes if not ok)
        return failures / len(self._outcomes)

    def check(self) -> bool:
        """Let a submission through, or refuse it while the breaker is open.

        In HALF_OPEN the first caller becomes the probe; others are refused until it reports.

        Returns:
            True when this request is the half-open probe (report its outcome, or call
            :meth:`release_probe` when it ends without one).

        Raises:
            RiskRejected: the breaker is open (the message says why and for how long).
        """
        state = self.state
        if state is CircuitState.CLOSED:
            return False
        if state is CircuitState.HALF_OPEN and not self._probe_in_flight:
            self._probe_in_flight = True
            return True
        remaining = max(0, self._cooldown_ms - (self._clock() - self._opened_at)) / 1000
        wait = f"retry in {remaining:.0f} s" if state is CircuitState.OPEN else "a probe is running"
        raise RiskRejected(
            f"{self.exchange_id}: orders are paused by the exchange circuit breaker "
            f"({self.reason}); {wait}, or reset breaker {self.name!r} once the venue is healthy"
        )

    def record_success(self) -> None:
        """The venue answered a request properly."""
        self._record(ok=True)
        if self._state is CircuitState.HALF_OPEN and self._probe_in_flight:
            self._probe_in_flight = False
            self._outcomes.clear()
            self._move(CircuitState.CLOSED, "probe order succeeded")

    def record_failure(self, detail: str = "") -> None:
        """The venue failed a request (timeout, 5xx, throttling, unknown outcome).

        Args:
            detail: what failed, kept as the reason when this opens the breaker.
        """
        self._record(ok=False)
        now = self._clock()
        if self._state is CircuitState.HALF_OPEN:
            self._probe_in_flight = False
            self._open(now, f"probe failed: {detail}" if detail else "probe failed")
            return
        if self._state is CircuitState.OPEN or len(self._outcomes) < self._min_samples:
            return
        rate = self.error_rate()
        if rate >= self._error_rate:
            window_s = self._window_ms / 1000
            summary = f"{rate:.0%} of {len(self._outcomes)} requests failed in {window_s:.0f} s"
            self._open(now, f"{summary}; last: {detail}" if detail else summary)

    def release_probe(self) -> None:
        """The probe ended without a verdict (cancelled): let another request probe."""
        self._probe_in_flight = False

    def reset(self) -> None:
        """Close the breaker by hand (a person decided the venue is healthy again)."""
        self._outcomes.clear()
        self._probe_in_flight = False
        if self._state is not CircuitState.CLOSED:
            self._move(CircuitState.CLOSED, "reset by the user")

    def _record(self, *, ok: bool) -> None:
        now = self._clock()
        self._outcomes.append((now, ok))
        self._trim(now)

    def _trim(self, now: int) -> None:
        horizon = now - self._window_ms
        while self._outcomes and self._outcomes[0][0] < horizon:
            self._outcomes.popleft()

    def _open(self, now: int, reason: str) -> None:
        self._opened_at = now
        self._move(CircuitState.OPEN, reason)

    def _move(self, new: CircuitState, reason: str) -> None:
        old = self._state
        self._state = new
        self.reason = reason
        self._gauge.set(_GAUGE_VALUE[new])
        log = logger.warning if new is CircuitState.OPEN else logger.info
        log(
            "exchange breaker %s: %s -> %s (%s)",
            self.exchange_id,
            old,
            new,
            reason,
            extra={"breaker": self.name},
        )
        if self._publish is not None and old is not new:
            self._publish(
                BreakerStateChanged(
                    timestamp=self._clock(),
                    breaker=self.name,
                    old_state=old.breaker_state,
                    new_state=new.breaker_state,
                    reason=f"{new.value}: {reason}",
                    scope="exchange",
                )
            )
