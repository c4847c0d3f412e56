"""Assertions shared by the indicator tests."""

from __future__ import annotations

import numpy as np

RTOL = 1e-9


def assert_matches(ours: np.ndarray, reference: np.ndarray, what: str) -> None:
    """Same length, NaN at exactly the same bars, values equal to ~1e-9 relative."""
    assert ours.dtype == np.float64
    assert ours.shape == reference.shape, what
    ours_nan = np.isnan(ours)
    ref_nan = np.isnan(reference)
    assert ours_nan.sum() == ref_nan.sum(), f"{what}: warm-up NaN count differs"
    np.testing.assert_array_equal(ours_nan, ref_nan, err_msg=f"{what}: NaN positions")
    scale = np.maximum(np.abs(reference[~ref_nan]), 1e-12)
    relative = np.abs(ours[~ours_nan] - reference[~ref_nan]) / scale
    assert relative.max(initial=0.0) <= RTOL, f"{what}: worst relative error {relative.max()}"
