"""Outcome of self-test checks: one line per check, and the process exit code."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Status(enum.StrEnum):
    """How a check ended: a warning explains a limitation that does not break the app."""

    PASS = "pass"  # noqa: S105 - a check status, not a password
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check's outcome.

    Attributes:
        name: the check's short name (``database``, ``keyring``, ...).
        status: pass, warn or fail.
        detail: what was verified, or why it failed and what to do about it.
        seconds: how long the check took.
    """

    name: str
    status: Status
    detail: str
    seconds: float

    def line(self) -> str:
        """The result as one aligned line, e.g. ``PASS  database   migrated ... (0.2 s)``."""
        return f"{self.status.value.upper():<5} {self.name:<9} {self.detail} ({self.seconds:.1f} s)"


@dataclass(frozen=True, slots=True)
class SelfTestReport:
    """Every check's result, in the order they ran."""

    results: tuple[CheckResult, ...]

    @property
    def failed(self) -> tuple[CheckResult, ...]:
        """The checks that failed."""
        return tuple(result for result in self.results if result.status is Status.FAIL)

    @property
    def ok(self) -> bool:
        """True when no check failed (warnings are allowed)."""
        return not self.failed

    @property
    def exit_code(self) -> int:
        """0 when every check passed or warned, 1 otherwise."""
        return 0 if self.ok else 1

    def text(self) -> str:
        """A report for the terminal: one line per check, then a verdict naming the failures."""
        lines = [result.line() for result in self.results]
        if self.ok:
            warned = sum(result.status is Status.WARN for result in self.results)
            suffix = f" ({warned} warning{'s' if warned != 1 else ''})" if warned else ""
            lines.append(f"self-test passed: {len(self.results)} checks{suffix}")
        else:
            names = ", ".join(result.name for result in self.failed)
            lines.append(f"self-test FAILED: {names}")
        return "\n".join(lines)
