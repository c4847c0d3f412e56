"""Structured JSON-lines logging with rotation and secret redaction; metrics."""
