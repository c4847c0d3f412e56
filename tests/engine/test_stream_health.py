"""When a failed candle stream is tried again."""

from __future__ import annotations

from app.engine.stream_health import StreamHealth


def test_failures_in_a_row_double_the_wait_up_to_the_limit_and_only_the_first_is_reported() -> None:
    health = StreamHealth(30.0, 100.0)
    assert health.due(0.0)
    assert health.failed(0.0, streamed_closes=0) == (30.0, True)
    assert not health.due(29.9) and health.due(30.0)
    assert health.failed(30.0, streamed_closes=0) == (60.0, False)
    assert health.failed(90.0, streamed_closes=0) == (100.0, False)
    assert not health.due(189.0) and health.due(190.0)


def test_a_session_that_delivered_closes_resets_the_wait() -> None:
    health = StreamHealth(30.0, 600.0)
    health.failed(0.0, streamed_closes=0)
    health.failed(30.0, streamed_closes=0)
    assert health.up() is True  # recovered from a reported failure
    assert health.live
    assert health.failed(500.0, streamed_closes=3) == (30.0, True)
    assert not health.live


def test_an_unsupported_stream_is_never_tried_again() -> None:
    health = StreamHealth(30.0, 600.0)
    health.unsupported()
    assert not health.due(1e9)
