"""Write resources/default_settings.toml: every setting at its default, as the app saves them.

Usage: ``python packaging/write_default_settings.py``. The file is a reference for users and
administrators (copy it to the config folder's ``settings.toml`` and edit); a test keeps it equal
to what the app itself would write.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from app.config.paths import HOME_ENV, resolve_paths
from app.config.schema import Settings
from app.config.store import save_settings

TARGET = Path(__file__).resolve().parents[1] / "resources" / "default_settings.toml"


def default_settings_text() -> str:
    """The text the app writes for the default settings."""
    with tempfile.TemporaryDirectory() as home:
        written = save_settings(Settings(), resolve_paths({HOME_ENV: home}))
        return written.read_text(encoding="utf-8")


def main() -> int:
    """Write the file; returns the exit code."""
    TARGET.write_text(default_settings_text(), encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
