"""Settings conversion and validation: every problem named, secrets refused, exact Decimals."""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from app.config.paths import resolve_paths
from app.config.schema import GeneralSettings, Theme
from app.config.settings import (
    Settings,
    database_url,
    settings_from_dict,
    settings_problems,
    settings_to_dict,
    with_changes,
)
from app.config.validation import is_credential_name
from app.core.enums import TradingMode
from app.core.errors import ConfigError


def problems_of(data: dict[str, Any]) -> list[str]:
    return settings_problems(data)


def test_defaults_are_a_safe_offline_install() -> None:
    settings = Settings()
    assert settings.general.mode is TradingMode.OFFLINE
    assert settings.general.live_confirmed is False
    assert settings.exchange.api_key_ref is None
    assert settings.paper.initial_balances == {"USDT": Decimal(10000)}
    assert settings.paper.fee_rate == Decimal("0.001")
    assert settings.replay.data_file == "btc_usdt_1h.csv"


def test_defaults_round_trip_through_toml() -> None:
    data = settings_to_dict(Settings())
    parsed = tomllib.loads(tomli_w.dumps(data))
    assert settings_from_dict(parsed) == Settings()


def test_to_dict_writes_decimals_as_strings_and_drops_none() -> None:
    data = settings_to_dict(Settings())
    assert data["paper"]["fee_rate"] == "0.001"
    assert data["paper"]["initial_balances"] == {"USDT": "10000"}
    assert data["risk"]["daily_loss_pct"] == "3"
    assert "api_key_ref" not in data["exchange"]
    assert "stop_loss_pct" not in data["risk"]
    assert data["general"]["mode"] == "offline"
    assert data["general"]["symbols"] == ["BTC/USDT", "ETH/USDT"]


def test_empty_mapping_gives_defaults() -> None:
    assert settings_from_dict({}) == Settings()


def test_values_are_read_exactly() -> None:
    settings = settings_from_dict(
        {
            "general": {"mode": "Paper", "theme": "light", "symbols": ["SOL/USDT"]},
            "exchange": {"id": "kraken", "api_key_ref": "kraken:main", "key_added_at": 17},
            "paper": {"fee_rate": 0.1, "slippage_bps": "2.5", "initial_balances": {"BTC": "0.5"}},
            "risk": {"daily_loss_pct": "2.5", "stop_loss_pct": 4},
            "logging": {"level": "debug", "component_levels": {"app.exchange": "warning"}},
            "replay": {"speed": 0},
        }
    )
    assert settings.general.mode is TradingMode.PAPER
    assert settings.general.theme is Theme.LIGHT
    assert settings.general.symbols == ("SOL/USDT",)
    assert settings.exchange.api_key_ref == "kraken:main"
    assert settings.exchange.key_added_at == 17
    assert settings.paper.fee_rate == Decimal("0.1")
    assert settings.paper.slippage_bps == Decimal("2.5")
    assert settings.paper.initial_balances == {"BTC": Decimal("0.5")}
    assert settings.risk.daily_loss_pct == Decimal("2.5")
    assert settings.risk.stop_loss_pct == Decimal(4)
    assert settings.logging.level == "DEBUG"
    assert settings.logging.component_levels == {"app.exchange": "WARNING"}
    assert settings.replay.speed == 0.0


def test_risk_message_names_field_and_value() -> None:
    with pytest.raises(ConfigError) as info:
        settings_from_dict({"risk": {"daily_loss_pct": 250}})
    assert "settings.risk.daily_loss_pct: must be between 0 and 100, got 250" in str(info.value)


def test_unknown_keys_get_a_suggestion() -> None:
    found = problems_of({"general": {"modee": "paper"}, "genral": {}, "risk": {"dayly_loss": 1}})
    assert "settings.general.modee: unknown setting (did you mean 'mode'?)" in found
    assert "settings.genral: unknown section (did you mean 'general'?)" in found
    risk_hint = "settings.risk.dayly_loss: unknown setting (did you mean"
    assert any(p.startswith(risk_hint) for p in found)


def test_enum_problem_lists_the_choices() -> None:
    found = problems_of({"general": {"mode": "demo", "theme": "blue"}})
    assert found == [
        "settings.general.mode: must be one of 'offline', 'paper', 'testnet', 'live', got 'demo'",
        "settings.general.theme: must be one of 'dark', 'light', got 'blue'",
    ]


def test_every_problem_is_reported_at_once() -> None:
    data = {
        "general": {"notifications": "yes", "timeframe": "7x", "symbols": ["BTCUSDT"]},
        "exchange": {"sandbox": 1, "key_added_at": "soon"},
        "logging": {"max_bytes": True, "backups": -1, "level": "LOUD"},
        "paper": {"fee_rate": "0.5", "slippage_bps": "abc", "initial_balances": {}},
        "replay": {"data_file": "../etc/passwd", "speed": -1},
        "risk": {"max_open_orders": "ten", "max_drawdown_pct": "0"},
    }
    found = problems_of(data)
    assert len(found) == 15, found
    expected_fragments = [
        "settings.general.notifications: must be true or false, got 'yes'",
        "settings.general.timeframe: must be a timeframe like '1m', '5m', '1h' or '1d', got '7x'",
        "settings.general.symbols[0]: must be a symbol like 'BTC/USDT', got 'BTCUSDT'",
        "settings.exchange.sandbox: must be true or false, got 1",
        "settings.exchange.key_added_at: must be a whole number, got 'soon'",
        "settings.logging.max_bytes: must be a whole number, got true",
        "settings.logging.backups: must be between 1 and 100, got -1",
        "settings.logging.level: must be one of 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'",
        "settings.paper.fee_rate: must be between 0 and 0.1 (a fraction: 0.001 means 0.1 %)",
        "settings.paper.slippage_bps: 'abc' is not a number",
        "settings.paper.initial_balances: must have at least one entry",
        "settings.replay.data_file: must be the name of a CSV file in resources/demo",
        "settings.replay.speed: must be between 0 and 1000000, got -1",
        "settings.risk.max_open_orders: must be a whole number, got 'ten'",
        "settings.risk.max_drawdown_pct: must be between 0 and 100, got 0",
    ]
    for fragment in expected_fragments:
        assert any(fragment in problem for problem in found), fragment


def test_error_message_lists_all_problems() -> None:
    with pytest.raises(ConfigError) as info:
        settings_from_dict({"general": {"theme": 3}, "risk": {"daily_loss_pct": 250}})
    message = str(info.value)
    assert message.startswith("2 invalid settings:")
    assert "- settings.general.theme" in message
    assert "- settings.risk.daily_loss_pct" in message


def test_section_must_be_a_table() -> None:
    assert problems_of({"general": 5}) == ["settings.general: must be a table ([general]), got 5"]


def test_symbols_must_be_distinct_and_present() -> None:
    assert problems_of({"general": {"symbols": []}})[0].startswith(
        "settings.general.symbols: must be a non-empty list"
    )
    assert problems_of({"general": {"symbols": ["BTC/USDT", "BTC/USDT"]}}) == [
        "settings.general.symbols: lists BTC/USDT more than once"
    ]


def test_newer_file_layout_is_refused_with_advice() -> None:
    (problem,) = problems_of({"version": 99})
    assert problem.startswith("settings.version: the file was written by a newer Cryptobot")
    assert "update Cryptobot" in problem


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"secret": "s"}, "secret"),
        ({"apiKey": "k"}, "apiKey"),
        ({"password": "p"}, "password"),
        ({"passphrase": "p"}, "passphrase"),
        ({"api_secret": "s"}, "api_secret"),
        ({"privateKey": "p"}, "privateKey"),
        ({"headers": {"X-MBX-APIKEY": "k"}}, "headers.X-MBX-APIKEY"),
        ({"options": {"accounts": [{"accessToken": "t"}]}}, "options.accounts[0].accessToken"),
    ],
)
def test_credentials_in_ccxt_config_are_refused(config: dict[str, Any], field: str) -> None:
    (problem,) = problems_of({"exchange": {"ccxt_config": config}})
    prefix = f"settings.exchange.ccxt_config.{field}: looks like an API credential"
    assert problem.startswith(prefix)
    assert "keyring" in problem


def test_credential_is_reported_with_other_exchange_problems() -> None:
    found = problems_of({"exchange": {"sandbox": "yes", "ccxt_config": {"secret": "s"}}})
    assert len(found) == 2
    assert found[0].startswith("settings.exchange.sandbox: must be true or false")
    assert found[1].startswith("settings.exchange.ccxt_config.secret: looks like an API credential")


def test_ordinary_ccxt_config_is_accepted() -> None:
    config = {
        "options": {"defaultType": "spot", "recvWindow": 5000, "fetchCurrencies": False},
        "urls": {"api": {"public": "http://127.0.0.1:8080/api"}},
        "timeout": 10000,
        "tokenBucket": {"capacity": 1},
    }
    settings = settings_from_dict({"exchange": {"ccxt_config": config}})
    assert settings.exchange.ccxt_config == config


def test_ccxt_config_rejects_values_toml_cannot_store() -> None:
    (problem,) = problems_of({"exchange": {"ccxt_config": {"options": {"x": None}}}})
    assert problem.startswith("settings.exchange.ccxt_config.options.x: must be text, a number")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("secret", True),
        ("apiSecret", True),
        ("api-key", True),
        ("access_token", True),
        ("walletPassword", True),
        ("defaultType", False),
        ("tokenBucket", False),
        ("keepAlive", False),
        ("uid", False),
    ],
)
def test_credential_names(name: str, expected: bool) -> None:
    assert is_credential_name(name) is expected


def test_database_url_with_password_is_refused() -> None:
    (problem,) = problems_of({"database": {"url": "postgresql://bot:hunter2@db.local/bot"}})
    assert problem.startswith("settings.database.url: contains a password")
    assert "CRYPTOBOT_DB_URL" in problem
    assert problems_of({"database": {"url": "postgresql://bot@db.local/bot"}}) == []


def test_problems_of_settings_built_in_code() -> None:
    settings = Settings(general=GeneralSettings(timeframe="7x"))
    assert settings_problems(settings) == [
        "settings.general.timeframe: must be a timeframe like '1m', '5m', '1h' or '1d', got '7x'"
    ]


def test_with_changes_replaces_fields_and_validates() -> None:
    changed = with_changes(
        Settings(), {"general": {"theme": "light"}, "risk": {"daily_loss_pct": "2"}}
    )
    assert changed.general.theme is Theme.LIGHT
    assert changed.risk.daily_loss_pct == Decimal(2)
    assert changed.general.symbols == Settings().general.symbols
    with pytest.raises(ConfigError, match=r"settings\.risk\.daily_loss_pct"):
        with_changes(Settings(), {"risk": {"daily_loss_pct": "250"}})
    with pytest.raises(ConfigError, match=r"settings\.colours: unknown section"):
        with_changes(Settings(), {"colours": {"x": 1}})


def test_database_url_precedence(tmp_path: Path) -> None:
    paths = resolve_paths({"CRYPTOBOT_HOME": str(tmp_path)})
    default = database_url(Settings(), paths, env={})
    assert default == f"sqlite:///{(tmp_path / 'data' / 'cryptobot.sqlite').as_posix()}"
    assert not (tmp_path / "data").exists()
    configured = with_changes(Settings(), {"database": {"url": "postgresql://bot@db/bot"}})
    assert database_url(configured, paths, env={}) == "postgresql://bot@db/bot"
    override = {"CRYPTOBOT_DB_URL": "sqlite:///other.sqlite"}
    assert database_url(configured, paths, env=override) == "sqlite:///other.sqlite"


def test_database_url_reads_process_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = resolve_paths({"CRYPTOBOT_HOME": str(tmp_path)})
    monkeypatch.setenv("CRYPTOBOT_DB_URL", "postgresql://env@db/bot")
    assert database_url(Settings(), paths) == "postgresql://env@db/bot"
