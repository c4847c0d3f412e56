"""Run the self-test checks in a scratch home and collect one report."""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from app.config.paths import HOME_ENV, resolve_paths, resource_path
from app.diagnostics.checks import (
    Outcome,
    SelfTestContext,
    check_backtest,
    check_database,
    check_engine,
    check_keyring,
    check_resources,
)
from app.diagnostics.report import CheckResult, SelfTestReport, Status
from app.diagnostics.window import check_window

logger = logging.getLogger(__name__)

Check = Callable[[SelfTestContext], Outcome]

CHECKS: Mapping[str, Check] = {
    "resources": check_resources,
    "database": check_database,
    "keyring": check_keyring,
    "backtest": check_backtest,
    "engine": check_engine,
    "window": check_window,
}
"""Every check by name, in the order they run."""


def run_check(name: str, check: Check, context: SelfTestContext) -> CheckResult:
    """Run one check; an exception becomes a failure that names the error."""
    started = time.perf_counter()
    try:
        status, detail = check(context)
    except Exception as exc:
        logger.exception("self-test check %s failed", name)
        status, detail = Status.FAIL, f"{type(exc).__name__}: {exc}"
    return CheckResult(name, status, detail, time.perf_counter() - started)


def run_self_test(
    only: Sequence[str] = (),
    *,
    demo_dir: Path | None = None,
    on_result: Callable[[CheckResult], None] | None = None,
) -> SelfTestReport:
    """Run the checks (all, or those named in ``only``) in a scratch home deleted afterwards.

    Args:
        only: names from :data:`CHECKS`; empty runs them all.
        demo_dir: folder of the demo candles (default: the bundled ``resources/demo``).
        on_result: called after each check (e.g. to print progress).

    Returns:
        The report; :attr:`SelfTestReport.exit_code` is the process exit code.

    Raises:
        ValueError: ``only`` names an unknown check.
    """
    unknown = [name for name in only if name not in CHECKS]
    if unknown:
        raise ValueError(
            f"unknown self-test check {', '.join(unknown)}; choose from {', '.join(CHECKS)}"
        )
    names = [name for name in CHECKS if not only or name in only]
    results: list[CheckResult] = []
    with tempfile.TemporaryDirectory(
        prefix="cryptobot-selftest-", ignore_cleanup_errors=True
    ) as scratch:
        paths = resolve_paths({HOME_ENV: scratch})
        paths.ensure()
        context = SelfTestContext(paths, demo_dir or resource_path("demo"))
        for name in names:
            result = run_check(name, CHECKS[name], context)
            results.append(result)
            if on_result is not None:
                on_result(result)
    return SelfTestReport(tuple(results))
