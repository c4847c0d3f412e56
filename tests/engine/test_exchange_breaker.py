"""Exchange circuit breaker: error rate in a sliding window, cooldown, one half-open probe."""

from __future__ import annotations

import pytest

from app.core.enums import BreakerState
from app.core.errors import RiskRejected
from app.core.events import BreakerStateChanged, Event
from app.engine.exchange_breaker import CircuitState, ExchangeCircuitBreaker
from app.observability.metrics import MetricsRegistry


class Clock:
    def __init__(self) -> None:
        self.ms = 1_700_000_000_000

    def __call__(self) -> int:
        return self.ms


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def events() -> list[Event]:
    return []


@pytest.fixture()
def registry() -> MetricsRegistry:
    return MetricsRegistry()


@pytest.fixture()
def breaker(clock: Clock, events: list[Event], registry: MetricsRegistry) -> ExchangeCircuitBreaker:
    return ExchangeCircuitBreaker(
        "binance",
        events.append,
        window=10,
        error_rate=0.5,
        min_samples=4,
        cooldown=30,
        clock=clock,
        metrics=registry,
    )


def gauge(registry: MetricsRegistry) -> float:
    metric = registry.get("cryptobot_exchange_breaker_state")
    assert metric is not None
    ((_, series),) = metric.series()
    return series.value  # type: ignore[union-attr]


def test_failures_below_the_minimum_sample_never_open(breaker: ExchangeCircuitBreaker) -> None:
    for _ in range(3):
        breaker.record_failure("timeout")
    assert breaker.state is CircuitState.CLOSED
    assert breaker.check() is False


def test_error_rate_at_threshold_opens_and_refuses_with_a_reason(
    breaker: ExchangeCircuitBreaker, events: list[Event], registry: MetricsRegistry
) -> None:
    breaker.record_success()
    breaker.record_success()
    breaker.record_failure("503")
    assert breaker.state is CircuitState.CLOSED  # 1 of 3, below min samples
    breaker.record_failure("timeout")
    assert breaker.state is CircuitState.OPEN  # 2 of 4 = 50 %
    with pytest.raises(RiskRejected, match=r"binance.*50% of 4 requests failed.*timeout"):
        breaker.check()
    (event,) = events
    assert isinstance(event, BreakerStateChanged)
    assert event.scope == "exchange"
    assert event.breaker == "exchange:binance"
    assert (event.old_state, event.new_state) == (BreakerState.ACTIVE, BreakerState.HALTED)
    assert gauge(registry) == 2.0


def test_old_outcomes_leave_the_window(breaker: ExchangeCircuitBreaker, clock: Clock) -> None:
    for _ in range(3):
        breaker.record_failure("old")
    clock.ms += 11_000
    for _ in range(3):
        breaker.record_success()
    breaker.record_failure("new")
    assert breaker.error_rate() == 0.25
    assert breaker.state is CircuitState.CLOSED


def open_it(breaker: ExchangeCircuitBreaker) -> None:
    for _ in range(4):
        breaker.record_failure("down")
    assert breaker.state is CircuitState.OPEN


def test_after_the_cooldown_exactly_one_probe_passes_and_its_success_closes(
    breaker: ExchangeCircuitBreaker, clock: Clock, registry: MetricsRegistry
) -> None:
    open_it(breaker)
    clock.ms += 29_999
    with pytest.raises(RiskRejected, match="retry in 0 s"):
        breaker.check()
    clock.ms += 1
    assert breaker.state is CircuitState.HALF_OPEN
    assert gauge(registry) == 1.0
    assert breaker.check() is True
    with pytest.raises(RiskRejected, match="a probe is running"):
        breaker.check()
    breaker.record_success()
    assert breaker.state is CircuitState.CLOSED
    assert breaker.error_rate() == 0.0
    assert gauge(registry) == 0.0


def test_a_failed_probe_opens_again_for_a_full_cooldown(
    breaker: ExchangeCircuitBreaker, clock: Clock, events: list[Event]
) -> None:
    open_it(breaker)
    clock.ms += 30_000
    assert breaker.check() is True
    breaker.record_failure("still 503")
    assert breaker.state is CircuitState.OPEN
    clock.ms += 29_000
    assert breaker.state is CircuitState.OPEN
    states = [(e.old_state, e.new_state) for e in events if isinstance(e, BreakerStateChanged)]
    assert states == [
        (BreakerState.ACTIVE, BreakerState.HALTED),
        (BreakerState.HALTED, BreakerState.REDUCING),
        (BreakerState.REDUCING, BreakerState.HALTED),
    ]


def test_a_released_probe_lets_the_next_request_probe(
    breaker: ExchangeCircuitBreaker, clock: Clock
) -> None:
    open_it(breaker)
    clock.ms += 30_000
    assert breaker.check() is True
    breaker.release_probe()
    assert breaker.check() is True


def test_reset_closes_by_hand(breaker: ExchangeCircuitBreaker, events: list[Event]) -> None:
    open_it(breaker)
    breaker.reset()
    assert breaker.state is CircuitState.CLOSED
    assert breaker.check() is False
    last = events[-1]
    assert isinstance(last, BreakerStateChanged)
    assert "reset by the user" in last.reason


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"error_rate": 0}, "error_rate"),
        ({"error_rate": 1.5}, "error_rate"),
        ({"min_samples": 0}, "min_samples"),
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ExchangeCircuitBreaker("binance", metrics=MetricsRegistry(), **kwargs)  # type: ignore[arg-type]
