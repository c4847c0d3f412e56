"""Registry of built-ins and user strategies; broken user files are reported, never raised."""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from app.core.errors import StrategyError
from app.strategies import StrategyRegistry, default_registry
from app.strategies.builtin import BUILTIN_STRATEGIES, SmaCross

EXAMPLE_USER_STRATEGY = '''
"""Example user strategy: buy after N rising closes, sell after N falling closes."""

import numpy as np
import pandas as pd

from app.strategies import BaseStrategy, Parameter, SignalFrame


class Momentum(BaseStrategy):
    name = "momentum_run"
    title = "Momentum run"
    description = "Buys after a run of rising closes, sells after a run of falling closes."

    @classmethod
    def get_parameters(cls):
        return (Parameter("run", "int", 3, min=1, max=20, description="Closes in a row."),)

    def generate_signals(self, data: pd.DataFrame) -> SignalFrame:
        close = self.column(data, "close")
        rising = np.zeros(len(close), dtype=int)
        falling = np.zeros(len(close), dtype=int)
        for index in range(1, len(close)):
            rising[index] = rising[index - 1] + 1 if close[index] > close[index - 1] else 0
            falling[index] = falling[index - 1] + 1 if close[index] < close[index - 1] else 0
        run = self.params["run"]
        return SignalFrame(entries=rising == run, exits=falling == run)
'''


def write(folder: Path, name: str, source: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def test_default_registry_holds_the_builtins() -> None:
    registry = default_registry()
    assert registry.names() == sorted(cls.name for cls in BUILTIN_STRATEGIES)
    assert {"sma_cross", "rsi_revert", "mean_reversion", "macd_trend"} <= set(registry.names())
    assert registry.is_builtin("sma_cross")
    assert registry.source("sma_cross") is None
    strategy = registry.create("sma_cross", {"fast": 5, "slow": 20})
    assert strategy.params["fast"] == 5


def test_unknown_name_lists_known_strategies() -> None:
    expected = r"unknown strategy 'smacross'; known strategies: .*sma_cross"
    with pytest.raises(StrategyError, match=expected):
        default_registry().get("smacross")


def test_register_refuses_duplicates() -> None:
    registry = default_registry()
    with pytest.raises(StrategyError, match="already registered"):
        registry.register(BUILTIN_STRATEGIES[0])


def test_user_strategy_is_loaded_and_runs(strategies_dir: Path, btc_1h: pd.DataFrame) -> None:
    path = write(strategies_dir, "momentum.py", EXAMPLE_USER_STRATEGY)
    registry = default_registry()
    assert registry.load_user_strategies(strategies_dir) == []
    assert "momentum_run" in registry
    assert registry.source("momentum_run") == path
    assert not registry.is_builtin("momentum_run")
    signals = registry.create("momentum_run", {"run": 4}).generate_signals(btc_1h)
    close = btc_1h["close"].to_numpy()
    first = int(np.argmax(signals.entries))
    assert (np.diff(close[first - 4 : first + 1]) > 0).all()


def test_broken_user_files_are_reported_one_problem_each(
    strategies_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(strategies_dir, "good.py", EXAMPLE_USER_STRATEGY)
    write(strategies_dir, "a_syntax.py", "def broken(:\n    pass\n")
    write(strategies_dir, "b_import.py", "import package_that_does_not_exist_42\n")
    write(strategies_dir, "c_raises.py", "raise RuntimeError('exchange down')\n")
    write(strategies_dir, "d_exits.py", "import sys\nsys.exit(3)\n")
    write(
        strategies_dir,
        "e_schema.py",
        """
        from app.strategies import Parameter
        from app.strategies.builtin import SmaCross

        class Bad(SmaCross):
            name = "bad_schema"

            @classmethod
            def get_parameters(cls):
                return (Parameter("fast", "int", 500, min=1, max=10),)
        """,
    )
    write(
        strategies_dir,
        "f_clash.py",
        """
        from app.strategies.builtin import SmaCross

        class MySma(SmaCross):
            name = "sma_cross"
        """,
    )
    write(
        strategies_dir,
        "g_abstract.py",
        """
        from app.strategies import BaseStrategy

        class Unfinished(BaseStrategy):
            name = "unfinished"
        """,
    )
    write(strategies_dir, "h_nothing.py", "VALUE = 1\n")
    write(strategies_dir, "_helpers.py", "raise RuntimeError('helpers are not loaded')\n")

    registry = default_registry()
    with caplog.at_level(logging.WARNING):
        problems = registry.load_user_strategies(strategies_dir)

    by_file = {problem.path.name: problem.message for problem in problems}
    assert sorted(by_file) == [
        "a_syntax.py",
        "b_import.py",
        "c_raises.py",
        "d_exits.py",
        "e_schema.py",
        "f_clash.py",
        "g_abstract.py",
        "h_nothing.py",
    ]
    assert by_file["a_syntax.py"].startswith("syntax error on line 1")
    assert "package_that_does_not_exist_42" in by_file["b_import.py"]
    assert by_file["c_raises.py"] == "raised RuntimeError while loading: exchange down"
    assert "SystemExit" in by_file["d_exits.py"]
    assert "parameter 'fast'" in by_file["e_schema.py"]
    assert "belongs to a built-in strategy" in by_file["f_clash.py"]
    assert "does not implement generate_signals, get_parameters" in by_file["g_abstract.py"]
    assert "defines no strategy" in by_file["h_nothing.py"]
    assert registry.names() == sorted([*(cls.name for cls in BUILTIN_STRATEGIES), "momentum_run"])
    assert registry.get("sma_cross") is SmaCross
    assert caplog.text.count("user strategy not loaded") == len(problems)


def test_two_user_files_with_the_same_name_keep_the_first(strategies_dir: Path) -> None:
    write(strategies_dir, "a.py", EXAMPLE_USER_STRATEGY)
    write(strategies_dir, "b.py", EXAMPLE_USER_STRATEGY)
    registry = StrategyRegistry()
    problems = registry.load_user_strategies(strategies_dir)
    assert [problem.path.name for problem in problems] == ["b.py"]
    assert "already used by a.py" in problems[0].message
    assert registry.source("momentum_run") == strategies_dir / "a.py"


def test_reload_picks_up_edits_and_deletions(strategies_dir: Path) -> None:
    path = write(strategies_dir, "momentum.py", EXAMPLE_USER_STRATEGY)
    registry = default_registry()
    registry.load_user_strategies(strategies_dir)
    path.write_text(EXAMPLE_USER_STRATEGY.replace("momentum_run", "momentum_v2"), "utf-8")
    assert registry.load_user_strategies(strategies_dir) == []
    assert "momentum_v2" in registry
    assert "momentum_run" not in registry
    path.unlink()
    registry.load_user_strategies(strategies_dir)
    assert registry.names() == sorted(cls.name for cls in BUILTIN_STRATEGIES)


def test_missing_folder_loads_nothing_and_a_file_path_is_reported(tmp_path: Path) -> None:
    registry = default_registry()
    assert registry.load_user_strategies(tmp_path / "absent") == []
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x", "utf-8")
    problems = registry.load_user_strategies(not_a_folder)
    assert [problem.message for problem in problems] == ["is not a folder"]
