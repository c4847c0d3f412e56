"""The runtime of one research command: its backend, progress bar and cancel flag."""

from __future__ import annotations

import argparse
import sys
import threading
from typing import TYPE_CHECKING, Any

from app.core.errors import BacktestError

if TYPE_CHECKING:
    from app.research.backends import Backend
    from app.research.progress import Progress


class ResearchSession:
    """The backend, progress bar and cancel flag of one command (Ctrl-C cancels cleanly).

    Args:
        args: the parsed options (``--workers``, ``--cluster``, ``--no-progress``).

    Raises:
        BacktestError: ``--workers`` is below 1.
    """

    def __init__(self, args: argparse.Namespace) -> None:
        self.cancel = threading.Event()
        self.backend: Backend = _backend(args)
        self._show = not args.no_progress
        self._drawn = False

    def progress(self, report: Progress) -> None:
        """Draw the progress bar on stderr."""
        if not self._show:
            return
        from app.research.progress import progress_bar

        sys.stderr.write(f"\r{progress_bar(report)}   ")
        sys.stderr.flush()
        self._drawn = True

    def job_options(self) -> dict[str, Any]:
        """The ``backend``, ``progress`` and ``cancel`` keywords every research job takes."""
        return {"backend": self.backend, "progress": self.progress, "cancel": self.cancel}

    def __enter__(self) -> ResearchSession:
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if exc_type is KeyboardInterrupt:
            self.cancel.set()
        if self._drawn:
            sys.stderr.write("\n")
        self.backend.close()


def _backend(args: argparse.Namespace) -> Backend:
    if args.cluster:
        from app.research.backends import DaskBackend

        return DaskBackend(args.cluster)
    from app.research.backends import InlineBackend, LocalBackend

    if args.workers is not None and args.workers < 1:
        raise BacktestError(f"--workers must be at least 1, got {args.workers}")
    if args.workers == 1:
        return InlineBackend()
    return LocalBackend(args.workers)
