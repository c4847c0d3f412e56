"""A Dask cluster gives exactly the local results (LocalCluster on 127.0.0.1)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
def cluster() -> Iterator[Any]:
    """A one-worker, two-thread cluster reached over TCP on 127.0.0.1."""
    local = distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    )
    try:
        yield local
    finally:
        local.close()


@pytest.fixture(scope="module")
def dask_backend(cluster: Any) -> Iterator[DaskBackend]:
    client = distributed.Client(cluster)
    backend = DaskBackend(client=client)
    try:
        yield backend
    finally:
        backend.close()
        client.close()


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


def test_cli_cluster_option_gives_the_local_numbers(
    cluster: Any, data_dir: Path, tmp_path: Path
) -> None:
    from app.cli import main

    common = [
        "montecarlo",
        "--strategy",
        "sma_cross",
        "--data",
        str(data_dir / "btc_usdt_1h.csv"),
        "--end",
        "2021-06-01",
        "--size",
        "0.1",
        "--param",
        "fast=10",
        "--param",
        "slow=30",
        "--runs",
        "2000",
        "--seed",
        "3",
        "--no-save",
        "--no-progress",
    ]
    local_out, remote_out = tmp_path / "local.json", tmp_path / "remote.json"
    assert main([*common, "--workers", "1", "--json", str(local_out)]) == 0
    assert main([*common, "--cluster", cluster.scheduler_address, "--json", str(remote_out)]) == 0
    local = json.loads(local_out.read_text(encoding="utf-8"))
    remote = json.loads(remote_out.read_text(encoding="utf-8"))
    assert remote["max_drawdown_pct"] == local["max_drawdown_pct"]
    assert remote["final_return_pct"] == local["final_return_pct"]


def test_unreachable_cluster_is_reported_with_the_fix() -> None:
    from app.core.errors import BacktestError

    with pytest.raises(BacktestError, match="cannot reach the Dask scheduler"):
        DaskBackend("tcp://127.0.0.1:9", connect_timeout=1.0)
