"""Cryptobot: desktop crypto trading application."""

from __future__ import annotations

from importlib import metadata


def app_version() -> str:
    """The installed distribution's version (falls back to the source tree's when not installed)."""
    try:
        return metadata.version("cryptobot")
    except metadata.PackageNotFoundError:  # running from a bare source tree or a frozen bundle
        from app._version import VERSION

        return VERSION
