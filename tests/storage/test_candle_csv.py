"""Candle CSV reading: every bad line is refused with its line number; writing round-trips."""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from app.core.errors import DataError
from app.storage.candle_csv import read_candle_csv, write_candle_csv

HEADER = "timestamp,open,high,low,close,volume"
GOOD = [
    "1606780800000,19695.87,19720.0,19479.8,19565.47,4570.361518",
    "1606784400000,19565.47,19639.99,19433.15,19605.75,2702.459235",
    "1606788000000,19605.75,19704.93,19548.57,19680.95,2408.229978",
    "1606791600000,19680.96,19682.77,19340.0,19419.74,2889.848604",
]


def _file(tmp_path: Path, lines: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "btc.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def _with_line(index: int, text: str) -> list[str]:
    lines = list(GOOD)
    lines[index] = text
    return lines


def test_shared_files_read_exactly(data_dir: Path) -> None:
    frame = read_candle_csv(data_dir / "btc_usdt_1h.csv", timeframe="1h")
    assert len(frame) == 5482
    assert list(frame.dtypes.astype(str)) == ["int64"] + ["float64"] * 5
    assert frame["timestamp"].iloc[0] == 1606780800000
    assert frame["high"].iloc[0] == 19720.0
    assert frame["volume"].iloc[0] == 4570.361518


@pytest.mark.parametrize("name", ["btc_usdt_1h.csv", "eth_btc_5m.csv"])
def test_write_round_trips_byte_for_byte(data_dir: Path, tmp_path: Path, name: str) -> None:
    frame = read_candle_csv(data_dir / name)
    out = tmp_path / "out" / name
    write_candle_csv(frame, out)
    assert out.read_bytes() == (data_dir / name).read_bytes()
    assert not [p for p in out.parent.iterdir() if p.name != name]  # no temporary left behind


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            _with_line(2, "1606788000000,19605.75,19500.0,19548.57,19550.0,1.0"),
            "btc.csv line 4: high 19500.0 is below low 19548.57",
        ),
        (
            _with_line(1, "1606784400000,19565.47,19600.0,19433.15,19605.75,2.0"),
            "line 3: high 19600.0 is below close 19605.75",
        ),
        (
            _with_line(1, "1606784400000,19565.47,19639.99,19570.0,19605.75,2.0"),
            "line 3: low 19570.0 is above open 19565.47",
        ),
        (
            _with_line(3, "1606791600000,19680.96,abc,19340.0,19419.74,1.0"),
            "line 5: high 'abc' is not a number",
        ),
        (_with_line(0, "1606780800000,19695.87,19720.0,19479.8,,1.0"), "line 2: close is empty"),
        (_with_line(2, "1606788000000,19605.75,19704.93,19548.57,NaN,1.0"), "line 4: close is NaN"),
        (
            _with_line(2, "1606788000000,19605.75,inf,19548.57,19600.0,1.0"),
            "line 4: high is infinite",
        ),
        (
            _with_line(1, "1606784400000,0,19639.99,0,19605.75,2.0"),
            "line 3: open 0.0 must be positive",
        ),
        (
            _with_line(1, "1606784400000,19565.47,19639.99,19433.15,19605.75,-2.0"),
            "line 3: volume -2.0 is negative",
        ),
        (
            _with_line(2, "1606784400000,19605.75,19704.93,19548.57,19680.95,1.0"),
            "line 4: timestamp 1606784400000 repeats line 3",
        ),
        (
            _with_line(2, "1606780000000,19605.75,19704.93,19548.57,19680.95,1.0"),
            "line 4: timestamp 1606780000000 is earlier than 1606784400000 on line 3",
        ),
        (
            _with_line(2, "2020-12-01,19605.75,19704.93,19548.57,19680.95,1.0"),
            "line 4: timestamp '2020-12-01' is not an integer number of milliseconds",
        ),
        (_with_line(1, "1606784400000,1,2,1,1,1,1"), "line 3: expected 6 values, found 7"),
        (_with_line(0, ""), "line 2: timestamp is empty"),
        (
            ["1606780800,19695.87,19720.0,19479.8,19565.47,4570.361518"],
            "line 2: timestamp 1606780800 looks like seconds",
        ),
    ],
)
def test_bad_lines_are_refused_with_line_and_reason(
    tmp_path: Path, lines: list[str], expected: str
) -> None:
    with pytest.raises(DataError, match=re.escape(expected)):
        read_candle_csv(_file(tmp_path, lines))


def test_short_row_reports_the_missing_value(tmp_path: Path) -> None:
    lines = _with_line(1, "1606784400000,19565.47,19639.99,19433.15,19605.75")
    with pytest.raises(DataError, match="line 3: volume is empty"):
        read_candle_csv(_file(tmp_path, lines))


def test_the_earliest_bad_line_is_reported(tmp_path: Path) -> None:
    lines = list(GOOD)
    lines[3] = "1606791600000,19680.96,19682.77,19700.0,19419.74,1.0"  # low above high
    lines[1] = "1606784400000,19565.47,19639.99,19433.15,19605.75,-1.0"  # negative volume
    with pytest.raises(DataError, match=re.escape("line 3: volume -1.0 is negative")):
        read_candle_csv(_file(tmp_path, lines))


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("timestamp,open,high,low,close", "missing volume"),
        ("time,open,high,low,close,volume", "missing timestamp; unexpected 'time'"),
        ("timestamp,open,low,high,close,volume", "in the order timestamp,open,low,high"),
        ("", "missing timestamp, open"),
    ],
)
def test_wrong_columns_are_named(tmp_path: Path, header: str, expected: str) -> None:
    with pytest.raises(DataError, match=rf"btc.csv line 1: the header must be .*{expected}"):
        read_candle_csv(_file(tmp_path, GOOD, header=header))


def test_timestamps_must_align_to_the_timeframe(tmp_path: Path) -> None:
    path = _file(tmp_path, GOOD)
    assert len(read_candle_csv(path, timeframe="1h")) == 4
    with pytest.raises(
        DataError, match=r"line 3: timestamp 1606784400000 is not aligned to the 1d"
    ):
        read_candle_csv(path, timeframe="1d")
    with pytest.raises(DataError, match="not a timeframe"):
        read_candle_csv(path, timeframe="hourly")


def test_header_only_file_gives_no_candles(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(HEADER + "\n", encoding="utf-8")
    frame = read_candle_csv(path)
    assert frame.empty
    assert list(frame.columns) == HEADER.split(",")


def test_missing_file_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cannot read"):
        read_candle_csv(tmp_path / "nope.csv")


def test_validation_is_fast_enough_for_big_files(data_dir: Path) -> None:
    started = time.perf_counter()
    frame = read_candle_csv(data_dir / "btc_usdt_5m.csv", timeframe="5m")
    assert len(frame) == 65741
    assert time.perf_counter() - started < 1.0


def test_any_float_survives_write_and_read_exactly(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    count = 2000
    low = rng.random(count) * 10.0 ** rng.integers(-8, 6, count) + 1e-9
    frame = pd.DataFrame(
        {
            "timestamp": 1_599_999_960_000 + np.arange(count, dtype=np.int64) * 60_000,
            "open": low * 1.5,
            "high": low * 2.0,
            "low": low,
            "close": low * 1.25,
            "volume": rng.random(count) * 1000,
        }
    )
    path = tmp_path / "random.csv"
    write_candle_csv(frame, path)
    pd.testing.assert_frame_equal(read_candle_csv(path, timeframe="1m"), frame, check_exact=True)


def test_integer_valued_columns_read_as_floats(tmp_path: Path) -> None:
    path = _file(tmp_path, ["1606780800000,10,12,9,11,0", "1606784400000,11,13,10,12,5"])
    frame = read_candle_csv(path)
    assert frame["volume"].dtype == np.float64
    assert frame["volume"].tolist() == [0.0, 5.0]
