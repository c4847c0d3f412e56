"""Fixtures for settings tests: real directories under the test's CRYPTOBOT_HOME."""

from __future__ import annotations

import pytest

from app.config.paths import AppPaths, resolve_paths


@pytest.fixture()
def paths() -> AppPaths:
    """The isolated home's paths (nothing created yet)."""
    return resolve_paths()
