"""Strategy API, parameter schema, registry, user plug-ins and built-in strategies.

User strategy files import what they need from here::

    from app.strategies import BaseStrategy, Parameter, SignalFrame, crossed_above
"""

from app.strategies.base import BaseStrategy, ParamType, ParamValue, SignalFrame
from app.strategies.crossing import crossed_above, crossed_below, crossings
from app.strategies.loader import LoadProblem
from app.strategies.parameters import Parameter, protective_stop_parameters
from app.strategies.registry import StrategyRegistry, default_registry

__all__ = [
    "BaseStrategy",
    "LoadProblem",
    "ParamType",
    "ParamValue",
    "Parameter",
    "SignalFrame",
    "StrategyRegistry",
    "crossed_above",
    "crossed_below",
    "crossings",
    "default_registry",
    "protective_stop_parameters",
]
