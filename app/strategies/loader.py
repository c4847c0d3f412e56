"""Import user strategy files without letting a broken one take the app down."""

from __future__ import annotations

import importlib.util
import inspect
import logging
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from app.strategies.base import BaseStrategy

logger = logging.getLogger(__name__)

MODULE_PREFIX = "cryptobot_user_strategy_"


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """A user strategy file (or class in it) that could not be loaded, and why."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def module_name_for(path: Path) -> str:
    """The ``sys.modules`` name a user strategy file is imported under."""
    return MODULE_PREFIX + re.sub(r"\W", "_", path.stem)


def load_strategy_file(path: Path) -> tuple[list[type[BaseStrategy]], list[LoadProblem]]:
    """Import one user file and collect the strategy classes it defines.

    Concrete :class:`BaseStrategy` subclasses defined in the file are returned; classes that
    still lack an abstract method are reported (prefix a helper base class's name with ``_``
    to keep it private). The schema of each class is not checked here.

    Args:
        path: a ``.py`` file.

    Returns:
        The classes found and the problems met; never raises for anything the file does.
    """
    module, problem = _import(path)
    if module is None:
        return [], [problem] if problem else []
    found: list[type[BaseStrategy]] = []
    problems: list[LoadProblem] = []
    for attribute, value in vars(module).items():
        if not (
            isinstance(value, type)
            and issubclass(value, BaseStrategy)
            and value.__module__ == module.__name__
        ):
            continue
        if inspect.isabstract(value):
            if not attribute.startswith("_"):
                missing = ", ".join(sorted(getattr(value, "__abstractmethods__", ())))
                problems.append(
                    LoadProblem(path, f"class {attribute} does not implement {missing}")
                )
            continue
        found.append(value)
    if not found and not problems:
        problems.append(
            LoadProblem(path, "defines no strategy (a subclass of BaseStrategy); "
                        "start helper modules' names with '_' to skip them")
        )  # fmt: skip
    return found, problems


def _import(path: Path) -> tuple[ModuleType | None, LoadProblem | None]:
    name = module_name_for(path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        return None, LoadProblem(path, "is not a Python file that can be imported")
    module = importlib.util.module_from_spec(spec)
    previous = sys.modules.get(name)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        message = f"syntax error on line {exc.lineno}: {exc.msg}; fix the file and reload"
    except ImportError as exc:
        message = f"import failed: {exc}; install the missing package or fix the import"
    except (Exception, SystemExit) as exc:
        message = f"raised {type(exc).__name__} while loading: {exc}"
    else:
        return module, None
    if previous is None:
        sys.modules.pop(name, None)
    else:
        sys.modules[name] = previous
    logger.debug("user strategy file %s failed to import", path, exc_info=True)
    return None, LoadProblem(path, message)
