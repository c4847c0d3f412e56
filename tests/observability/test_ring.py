"""The in-memory ring buffer behind the UI's log viewer."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest

from app.observability.ring import LogEntry, RingBufferHandler


@pytest.fixture()
def ring_logger() -> Iterator[tuple[logging.Logger, RingBufferHandler]]:
    handler = RingBufferHandler(capacity=3)
    log = logging.getLogger("tests.ring")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    log.addHandler(handler)
    yield log, handler
    log.removeHandler(handler)
    log.propagate = True
    log.setLevel(logging.NOTSET)


def test_keeps_the_latest_entries_in_order(
    ring_logger: tuple[logging.Logger, RingBufferHandler],
) -> None:
    log, ring = ring_logger
    for index in range(5):
        log.info("message %d", index, extra={"n": index})
    entries = ring.snapshot()
    assert [entry.message for entry in entries] == ["message 2", "message 3", "message 4"]
    assert [entry.seq for entry in entries] == [3, 4, 5]
    assert entries[0].extra == {"n": 2}
    assert entries[0].component == "tests.ring"
    assert entries[0].level == "INFO"
    assert entries[0].levelno == logging.INFO
    assert ring.capacity == 3


def test_snapshot_since_returns_only_new_entries(
    ring_logger: tuple[logging.Logger, RingBufferHandler],
) -> None:
    log, ring = ring_logger
    log.info("a")
    seen = ring.snapshot()[-1].seq
    log.info("b")
    assert [entry.message for entry in ring.snapshot(since_seq=seen)] == ["b"]
    ring.clear()
    assert ring.snapshot() == []
    log.info("c")
    assert ring.snapshot()[0].seq == seen + 2


def test_exception_text_is_kept(ring_logger: tuple[logging.Logger, RingBufferHandler]) -> None:
    log, ring = ring_logger
    try:
        raise RuntimeError("feed stalled")
    except RuntimeError:
        log.exception("worker crashed")
    (entry,) = ring.snapshot()
    assert entry.exc_text is not None
    assert "RuntimeError: feed stalled" in entry.exc_text


def test_subscribers_are_notified_until_unsubscribed(
    ring_logger: tuple[logging.Logger, RingBufferHandler],
) -> None:
    log, ring = ring_logger
    received: list[LogEntry] = []
    ring.subscribe(received.append)
    log.info("one")
    ring.unsubscribe(received.append)
    ring.unsubscribe(received.append)  # unknown callbacks are ignored
    log.info("two")
    assert [entry.message for entry in received] == ["one"]


def test_failing_subscriber_does_not_stop_others(
    ring_logger: tuple[logging.Logger, RingBufferHandler], monkeypatch: pytest.MonkeyPatch
) -> None:
    log, ring = ring_logger
    monkeypatch.setattr(logging, "raiseExceptions", False)
    received: list[str] = []

    def broken(entry: LogEntry) -> None:
        raise RuntimeError("viewer closed")

    ring.subscribe(broken)
    ring.subscribe(lambda entry: received.append(entry.message))
    log.info("still delivered")
    assert received == ["still delivered"]
    assert ring.snapshot()[-1].message == "still delivered"


def test_subscriber_that_logs_does_not_recurse(
    ring_logger: tuple[logging.Logger, RingBufferHandler],
) -> None:
    log, ring = ring_logger
    calls: list[str] = []

    def chatty(entry: LogEntry) -> None:
        calls.append(entry.message)
        log.debug("viewer got %s", entry.message)

    ring.subscribe(chatty)
    log.info("tick")
    assert calls == ["tick"]
    assert [entry.message for entry in ring.snapshot()] == ["tick", "viewer got tick"]


def test_concurrent_logging_loses_nothing() -> None:
    ring = RingBufferHandler(capacity=10_000)
    log = logging.getLogger("tests.ring.threads")
    log.setLevel(logging.INFO)
    log.propagate = False
    log.addHandler(ring)
    notified: list[int] = []
    ring.subscribe(lambda entry: notified.append(entry.seq))
    try:

        def worker(name: str) -> None:
            for index in range(500):
                log.info("%s %d", name, index)

        threads = [threading.Thread(target=worker, args=(f"t{n}",)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        log.removeHandler(ring)
        log.propagate = True
    entries = ring.snapshot()
    assert len(entries) == 2000
    assert [entry.seq for entry in entries] == list(range(1, 2001))
    assert sorted(notified) == list(range(1, 2001))


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError, match="ring_capacity"):
        RingBufferHandler(capacity=0)
