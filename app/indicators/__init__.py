"""Vectorised technical indicators on numpy arrays (TA-Lib conventions)."""
