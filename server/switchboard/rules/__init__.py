"""Rules repositories: read a revision, validate it, compile it into a frozen Ruleset.

    result = load_ruleset("path/to/rules", rev="main")
    if result.ruleset is None:
        for problem in result.problems:
            print(problem)   # file:line:col: code: message

Names are imported on first use, so `import switchboard.rules.model` stays light.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from switchboard.rules.loader import PHASES, LoadResult, load_ruleset, load_source
    from switchboard.rules.problems import Problem
    from switchboard.rules.source import Source, open_source, source_from_files

_HOMES = {
    "PHASES": "loader",
    "LoadResult": "loader",
    "load_ruleset": "loader",
    "load_source": "loader",
    "Problem": "problems",
    "Source": "source",
    "open_source": "source",
    "source_from_files": "source",
}
__all__ = [
    "PHASES",
    "LoadResult",
    "Problem",
    "Source",
    "load_ruleset",
    "load_source",
    "open_source",
    "source_from_files",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"switchboard.rules.{_HOMES[name]}"), name)
