"""The engine runs the user's own strategies from the strategies folder, like the built-ins."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from app.config.paths import resolve_paths
from app.core.errors import StrategyError
from app.engine.builder import build_engine
from app.engine.facade import StrategySpec
from tests.engine.engine_harness import offline_settings

USER_STRATEGY = dedent(
    '''
    """A user's strategy: buy every third bar, sell the bar after."""
    import numpy as np

    from app.strategies.base import BaseStrategy, SignalFrame


    class EveryThirdBar(BaseStrategy):
        name = "every_third_bar"
        title = "Every third bar"
        description = "Test strategy"

        @classmethod
        def get_parameters(cls):
            return ()

        def generate_signals(self, data):
            index = np.arange(len(data))
            return SignalFrame(entries=index % 3 == 0, exits=index % 3 == 1)
    '''
)


def test_a_user_strategy_in_the_folder_can_be_started(data_dir: Path) -> None:
    paths = resolve_paths()
    paths.ensure()
    (paths.strategies_dir / "every_third.py").write_text(USER_STRATEGY)
    facade = build_engine(offline_settings(speed=0.0), paths, demo_dir=data_dir)
    sizing = {"kind": "fixed_quantity", "qty": "0.01"}
    try:
        strategy_id = facade.start_strategy(
            StrategySpec("every_third_bar", "BTC/USDT", "1h", {}, sizing)
        ).result(10)
        assert [s.strategy_id for s in facade.strategies()] == [strategy_id]
        with pytest.raises(StrategyError, match="no_such_strategy"):
            facade.start_strategy(
                StrategySpec("no_such_strategy", "BTC/USDT", "1h", {}, sizing)
            ).result(10)
    finally:
        facade.shutdown()
