"""A Dask cluster gives exactly the local results (LocalCluster on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from app.research.backends import DaskBackend
from app.research.montecarlo import monte_carlo
from app.research.optimize import optimize
from app.research.settings import ResearchSettings
from app.research.space import SearchSpace
from app.research.walkforward import walk_forward
from app.strategies.builtin.sma_cross import SmaCross

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def dask_backend() -> Iterator[DaskBackend]:
    cluster = distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    )
    client = distributed.Client(cluster)
    backend = DaskBackend(client=client)
    try:
        yield backend
    finally:
        backend.close()
        client.close()
        cluster.close()


def test_optimize_on_dask_equals_the_local_run(
    btc_1h: pd.DataFrame, dask_backend: DaskBackend
) -> None:
    settings = ResearchSettings.create("sma_cross", size="0.1")
    space = SearchSpace.from_strategy(SmaCross, {"fast": "5:25:5", "slow": "30:90:20"})
    local = optimize(btc_1h, settings, space, method="tpe", trials=20, seed=4)
    remote = optimize(
        btc_1h, settings, space, method="tpe", trials=20, seed=4, backend=dask_backend
    )
    assert [(row.params, row.score.metrics) for row in remote.rows] == [
        (row.params, row.score.metrics) for row in local.rows
    ]


def test_walkforward_and_montecarlo_on_dask_equal_the_local_run(
    btc_1h: pd.DataFrame, dask_backend: DaskBackend
) -> None:
    settings = ResearchSettings.create("sma_cross", size="0.1")
    space = SearchSpace.from_strategy(SmaCross, {"fast": "5:15:5", "slow": "30:60:30"})
    local = walk_forward(btc_1h, settings, space, train=1000, test=1000, min_trades=2)
    remote = walk_forward(
        btc_1h, settings, space, train=1000, test=1000, min_trades=2, backend=dask_backend
    )
    assert remote.equity == local.equity
    assert [step.params for step in remote.steps] == [step.params for step in local.steps]

    returns = np.random.default_rng(5).normal(0.001, 0.02, 400)
    mc_local = monte_carlo(returns, method="bootstrap", runs=3000, seed=8)
    mc_remote = monte_carlo(returns, method="bootstrap", runs=3000, seed=8, backend=dask_backend)
    assert np.array_equal(mc_remote.final_return_pct, mc_local.final_return_pct)
    assert np.array_equal(mc_remote.max_drawdown_pct, mc_local.max_drawdown_pct)
