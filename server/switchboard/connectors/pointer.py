"""JSON Pointer (RFC 6901): `/shipment/tracking/number` into a decoded JSON document."""

from __future__ import annotations

import re
from typing import Any

_INDEX = re.compile(r"0|[1-9][0-9]*")


class PointerError(ValueError):
    """The pointer is not valid syntax."""


class PointerMissing(LookupError):
    """The document has nothing at the pointer."""


def parse(pointer: str) -> tuple[str, ...]:
    """`""` is the whole document; otherwise every token follows a `/`."""
    if pointer == "":
        return ()
    if not pointer.startswith("/"):
        raise PointerError(f"a JSON pointer starts with '/': {pointer!r}")
    tokens = pointer[1:].split("/")
    for token in tokens:
        if re.search(r"~(?![01])", token):
            raise PointerError(f"'~' must be followed by 0 or 1 in {pointer!r}")
    return tuple(token.replace("~1", "/").replace("~0", "~") for token in tokens)


def escape(token: str) -> str:
    """One object key as a pointer token: `a/b~c` -> `a~1b~0c`."""
    return token.replace("~", "~0").replace("/", "~1")


def resolve(document: Any, pointer: str) -> Any:
    """The value at `pointer`; raises PointerMissing when a step does not exist."""
    value = document
    for depth, token in enumerate(parse(pointer)):
        if isinstance(value, dict):
            if token not in value:
                raise PointerMissing(f"no member at step {depth + 1} of {pointer!r}")
            value = value[token]
        elif isinstance(value, list):
            if not _INDEX.fullmatch(token) or int(token) >= len(value):
                raise PointerMissing(f"no array element at step {depth + 1} of {pointer!r}")
            value = value[int(token)]
        else:
            raise PointerMissing(f"step {depth + 1} of {pointer!r} is not inside an object")
    return value
