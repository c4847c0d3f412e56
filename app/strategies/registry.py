"""The strategy registry: built-ins plus user strategies loaded from a folder."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app.core.errors import StrategyError
from app.strategies.base import BaseStrategy
from app.strategies.builtin import BUILTIN_STRATEGIES
from app.strategies.loader import LoadProblem, load_strategy_file

logger = logging.getLogger(__name__)

__all__ = ["LoadProblem", "StrategyRegistry", "default_registry"]


class StrategyRegistry:
    """Strategy classes by name; user strategies can be (re)loaded from a folder."""

    def __init__(self) -> None:
        self._classes: dict[str, type[BaseStrategy]] = {}
        self._user_sources: dict[str, Path] = {}

    def __contains__(self, name: object) -> bool:
        return name in self._classes

    def __len__(self) -> int:
        return len(self._classes)

    def register(self, strategy: type[BaseStrategy]) -> None:
        """Add a strategy class (built-ins and strategies defined in code).

        Raises:
            StrategyError: the class declaration is invalid or its name is taken.
        """
        problems = strategy.schema_problems()
        if problems:
            raise StrategyError(f"strategy class {strategy.__name__}: {'; '.join(problems)}")
        if strategy.name in self._classes:
            raise StrategyError(f"a strategy named {strategy.name!r} is already registered")
        self._classes[strategy.name] = strategy

    def names(self) -> list[str]:
        """Every registered strategy name, sorted."""
        return sorted(self._classes)

    def is_builtin(self, name: str) -> bool:
        """True when ``name`` is registered and was not loaded from a user file."""
        return name in self._classes and name not in self._user_sources

    def source(self, name: str) -> Path | None:
        """The file a user strategy was loaded from; None for built-ins and unknown names."""
        return self._user_sources.get(name)

    def get(self, name: str) -> type[BaseStrategy]:
        """The strategy class registered as ``name``.

        Raises:
            StrategyError: no such strategy (the message lists the known names).
        """
        try:
            return self._classes[name]
        except KeyError:
            known = ", ".join(self.names()) or "none"
            raise StrategyError(f"unknown strategy {name!r}; known strategies: {known}") from None

    def create(self, name: str, params: Mapping[str, Any] | None = None) -> BaseStrategy:
        """Instantiate strategy ``name`` with validated ``params``.

        Raises:
            StrategyError: unknown strategy or invalid parameters.
        """
        return self.get(name)(params)

    def load_user_strategies(self, folder: Path) -> list[LoadProblem]:
        """(Re)load every user strategy from the ``*.py`` files in ``folder``.

        Strategies loaded earlier from any folder are dropped first, so calling this again
        picks up edited, added and deleted files. Files whose name starts with ``_`` are
        skipped (helper modules). A missing folder loads nothing.

        Args:
            folder: the user strategies folder (``AppPaths.strategies_dir``).

        Returns:
            One problem per file or class that could not be loaded: syntax or import errors,
            exceptions raised while importing, invalid schemas, names already taken. Never
            raises for anything in the files.
        """
        for name in self._user_sources:
            self._classes.pop(name, None)
        self._user_sources.clear()
        if not folder.exists():
            return []
        if not folder.is_dir():
            return self._report([LoadProblem(folder, "is not a folder")])
        problems: list[LoadProblem] = []
        for path in sorted(folder.glob("*.py")):
            if path.name.startswith("_"):
                continue
            classes, file_problems = load_strategy_file(path)
            problems.extend(file_problems)
            for strategy in classes:
                problem = self._add_user(strategy, path)
                if problem is not None:
                    problems.append(problem)
        logger.info("loaded %d user strategies from %s", len(self._user_sources), folder)
        return self._report(problems)

    def _add_user(self, strategy: type[BaseStrategy], path: Path) -> LoadProblem | None:
        schema = strategy.schema_problems()
        if schema:
            return LoadProblem(path, f"class {strategy.__name__}: {'; '.join(schema)}")
        if strategy.name in self._user_sources:
            other = self._user_sources[strategy.name].name
            return LoadProblem(
                path,
                f"class {strategy.__name__}: the name {strategy.name!r} is already used by "
                f"{other}; give one of them another name",
            )
        if strategy.name in self._classes:
            return LoadProblem(
                path,
                f"class {strategy.__name__}: the name {strategy.name!r} belongs to a built-in "
                "strategy; choose another name",
            )
        self._classes[strategy.name] = strategy
        self._user_sources[strategy.name] = path
        return None

    @staticmethod
    def _report(problems: list[LoadProblem]) -> list[LoadProblem]:
        for problem in problems:
            logger.warning("user strategy not loaded: %s: %s", problem.path, problem.message)
        return problems


def default_registry() -> StrategyRegistry:
    """A new registry holding the built-in strategies."""
    registry = StrategyRegistry()
    for strategy in BUILTIN_STRATEGIES:
        registry.register(strategy)
    return registry
