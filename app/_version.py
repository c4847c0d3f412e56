"""Version of the source tree; kept equal to pyproject's by a test (used when not installed)."""

VERSION = "0.1.0"
