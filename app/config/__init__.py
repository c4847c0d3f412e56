"""Typed settings, validation, platform directories and resource paths."""
