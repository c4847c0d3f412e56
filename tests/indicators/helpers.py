"""Assertions shared by the indicator tests."""

from __future__ import annotations

import numpy as np

RTOL = 1e-9


def assert_matches(
    ours: np.ndarray, reference: np.ndarray, what: str, scale: np.ndarray | float = 0.0
) -> None:
    """Same length, NaN at exactly the same bars, values equal to 1e-9 relative.

    ``scale`` is the magnitude the output is computed from, for outputs that pass through zero
    (a MACD line is a difference of two ~price EMAs, an oscillator lives on 0..100): the error
    is then measured relative to ``max(|reference|, scale)``.
    """
    assert ours.dtype == np.float64
    assert ours.shape == reference.shape, what
    ours_nan = np.isnan(ours)
    ref_nan = np.isnan(reference)
    assert ours_nan.sum() == ref_nan.sum(), f"{what}: warm-up NaN count differs"
    np.testing.assert_array_equal(ours_nan, ref_nan, err_msg=f"{what}: NaN positions")
    magnitude = np.maximum(np.abs(reference), scale)[~ref_nan]
    relative = np.abs(ours[~ours_nan] - reference[~ref_nan]) / np.maximum(magnitude, 1e-300)
    worst = relative.max(initial=0.0)
    assert worst <= RTOL, f"{what}: worst relative error {worst:.3g}"
