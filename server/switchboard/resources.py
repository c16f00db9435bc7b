"""Where the files shipped beside the code live: schemas/, ui/ and the demo rules-repo/."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent.parent  # server/switchboard -> project root


def resource_dir(name: str) -> Path:
    """The directory `name` (schemas, ui, rules-repo), from the wheel or the source checkout."""
    for base in (_PACKAGE / "_data", _CHECKOUT):
        candidate = base / name
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"{name}/ is missing from this installation ({_PACKAGE})")
