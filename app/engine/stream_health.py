"""When a series' websocket candle stream is tried again after it failed."""

from __future__ import annotations


class StreamHealth:
    """Websocket state of one candle series: live, failed (with backoff) or unsupported.

    Args:
        first_retry: seconds of REST polling after a first failure before the next attempt.
        max_retry: longest wait; each failure in a row doubles the wait up to this.
    """

    def __init__(self, first_retry: float, max_retry: float) -> None:
        self._first = first_retry
        self._max = max(max_retry, first_retry)
        self._wait = 0.0
        self._retry_at = 0.0
        self._supported = True
        self.live = False
        self.degraded = False

    def due(self, now: float) -> bool:
        """True when the stream should be (re)tried at loop time ``now``."""
        return self._supported and now >= self._retry_at

    def up(self) -> bool:
        """The stream is live; returns True when it recovers from a reported failure."""
        recovered = self.degraded
        self.live = True
        self.degraded = False
        return recovered

    def failed(self, now: float, streamed_closes: int) -> tuple[float, bool]:
        """The stream failed at ``now`` after delivering ``streamed_closes`` closes.

        A session that delivered closes resets the backoff; failures in a row double it.

        Returns:
            Seconds until the next attempt, and True when this failure is the first of an
            outage (the one to report).
        """
        if streamed_closes > 0 or self._wait == 0.0:
            self._wait = self._first
        else:
            self._wait = min(self._wait * 2, self._max)
        self._retry_at = now + self._wait
        first = not self.degraded
        self.live = False
        self.degraded = True
        return self._wait, first

    def unsupported(self) -> None:
        """The exchange has no candle stream: never try again in this run."""
        self._supported = False
        self.live = False
