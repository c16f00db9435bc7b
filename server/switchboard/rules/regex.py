"""Compiles regular expressions from rules with RE2, which has no backtracking.

RE2 matches in time proportional to the text, so no expression in a rules file can hang
the server. The price is that back-references and look-arounds do not exist in RE2; they are
refused with their own code so the author knows to rewrite rather than fix a typo.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache
from typing import Any

import re2

MAX_LENGTH = 300


class RegexProblem(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def compile_re2(pattern: str, *, ignore_case: bool = True) -> Any:
    """The compiled RE2 expression, or RegexProblem (regex_too_long / _unsupported / _invalid)."""
    return _compile(pattern, ignore_case)


@lru_cache(maxsize=4096)  # compiled expressions are immutable; reloads reuse them
def _compile(pattern: str, ignore_case: bool) -> Any:
    if len(pattern) > MAX_LENGTH:
        raise RegexProblem(
            "regex_too_long",
            f"The regular expression has {len(pattern)} characters; at most {MAX_LENGTH} "
            "are allowed. Shorten it or split it into several rules.",
        )
    options = re2.Options()
    options.log_errors = False
    options.case_sensitive = not ignore_case
    try:
        return re2.compile(pattern, options)
    except re2.error as exc:
        detail = _detail(exc)
    if _python_accepts(pattern):
        raise RegexProblem(
            "regex_unsupported",
            f"The regular expression uses something the safe matcher refuses ({detail}): "
            "back-references such as \\1, look-arounds such as (?=...) or (?!...), and very "
            "large repetitions can make matching extremely slow. Rewrite it without them.",
        )
    raise RegexProblem(
        "regex_invalid",
        f"The regular expression is not valid ({detail}). Check brackets and backslashes.",
    )


def _detail(exc: Exception) -> str:
    text = exc.args[0] if exc.args else str(exc)
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def _python_accepts(pattern: str) -> bool:
    """Whether the expression is well-formed in the usual (backtracking) dialect."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. FutureWarning on "[[" must not escape
        try:
            re.compile(pattern)
        except (re.error, OverflowError, RecursionError):
            return False
    return True
