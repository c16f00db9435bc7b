"""Short proposal ids and the branch names made from them: `proposals/<id>-<slug>`."""

from __future__ import annotations

import re
import secrets
import unicodedata

BRANCH_PREFIX = "proposals/"
_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no 0/o, 1/l: easy to read out and type
_ID = re.compile(rf"^[{_ALPHABET}]{{6}}$")
MAX_SLUG = 40


def new_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(6))


def looks_like_id(text: str) -> bool:
    return bool(_ID.match(text))


def slug(title: str) -> str:
    """`Raise claim threshold to 5 000 €` -> `raise-claim-threshold-to-5-000`."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_title.lower())
    text = "-".join(words)[:MAX_SLUG].strip("-")
    return text or "change"


def branch_name(proposal_id: str, title: str) -> str:
    return f"{BRANCH_PREFIX}{proposal_id}-{slug(title)}"
