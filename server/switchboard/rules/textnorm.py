"""The one text normalisation used for phrase matching: case and accents do not count.

Rules (at load time) and the engine (on each inquiry) must normalise alike, so both use
`normalise`: `Rückerstattung` and `RUCKERSTATTUNG` both become `ruckerstattung`.
"""

from __future__ import annotations

import unicodedata


def normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.split())
