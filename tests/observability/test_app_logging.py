"""Logging configured from the settings applies rotation sizes and deletes expired logs."""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import replace

from app.config.paths import resolve_paths
from app.config.schema import LoggingSettings
from app.observability.app_logging import configure_app_logging

DAY = 86_400


def test_settings_drive_rotation_and_retention() -> None:
    paths = resolve_paths()
    paths.ensure()
    old = paths.log_dir / "cryptobot.jsonl.4"
    old.write_text("{}\n")
    stamp = time.time() - 40 * DAY
    os.utime(old, (stamp, stamp))
    recent = paths.log_dir / "cryptobot.jsonl.1"
    recent.write_text("{}\n")
    options = replace(LoggingSettings(), max_bytes=2048, backups=2, retention_days=30)
    handle = configure_app_logging(options, paths, console=False)
    try:
        log = logging.getLogger("app.test.rotation")
        for n in range(200):
            log.warning("line %d with some padding to fill the file quickly", n)
    finally:
        handle.close()
    assert not old.exists()  # older than 30 days: deleted
    rotated = sorted(p.name for p in paths.log_dir.glob("cryptobot.jsonl.*"))
    assert rotated == ["cryptobot.jsonl.1", "cryptobot.jsonl.2"]  # backups=2
    live = paths.log_dir / "cryptobot.jsonl"
    assert live.stat().st_size <= 2048
    assert json.loads(live.read_text().splitlines()[-1])["message"].startswith("line 199")
