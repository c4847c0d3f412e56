"""resources/default_settings.toml: every default setting, exactly as the app writes them."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from app.config.paths import resolve_paths
from app.config.schema import Settings
from app.config.store import load_settings

ROOT = Path(__file__).resolve().parents[2]
DEFAULTS = ROOT / "resources" / "default_settings.toml"


def test_file_is_what_the_app_writes_for_the_defaults() -> None:
    spec = importlib.util.spec_from_file_location(
        "write_default_settings", ROOT / "packaging" / "write_default_settings.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    expected = module.default_settings_text()
    assert DEFAULTS.read_text(encoding="utf-8") == expected, (
        "run python packaging/write_default_settings.py"
    )


def test_copied_into_a_config_folder_it_loads_as_the_defaults(tmp_path: Path) -> None:
    paths = resolve_paths({"CRYPTOBOT_HOME": str(tmp_path / "home")})
    paths.config_dir.mkdir(parents=True)
    shutil.copy(DEFAULTS, paths.settings_file)
    loaded = load_settings(paths)
    assert not loaded.first_run
    assert loaded.settings == Settings()
