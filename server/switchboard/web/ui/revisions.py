"""Compiled rulesets of the revisions pages show, kept by commit (a commit never changes).

Pages read a revision without its engine (a fraction of a second); "try a message" needs the
engine, which is built once per commit and reuses the classifier cached on disk when the
example phrases did not change.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from switchboard.proposals.checks import problem_info
from switchboard.proposals.errors import InvalidRevision
from switchboard.rules.model import Ruleset

PLAIN_KEPT = 16
ENGINES_KEPT = 2


class Revisions:
    def __init__(self) -> None:
        self._plain: OrderedDict[str, Ruleset] = OrderedDict()
        self._engines: OrderedDict[str, Ruleset] = OrderedDict()
        self._lock = threading.Lock()
        self._building = threading.Lock()  # one load at a time: the machine is small

    def with_engine(self, repo: Path, sha: str, cache_dir: Path | None) -> Ruleset:
        """The ruleset of `sha` ready for `decide` (blocking; seconds when phrases changed).

        Built like the reloader builds a revision, so the classifier trained for the same
        phrases (by the reloader or an earlier try) is read from the cache, not trained again.
        """
        with self._lock:
            found = self._engines.get(sha)
        if found is not None:
            return found
        plain = self.plain(repo, sha)
        with self._building:
            from switchboard.runtime._engine import build_parts

            built, _, _ = build_parts(plain, None, cache_dir)
        with self._lock:
            self._engines[sha] = built
            while len(self._engines) > ENGINES_KEPT:
                self._engines.popitem(last=False)
        return built

    def plain(self, repo: Path, sha: str) -> Ruleset:
        """The ruleset of `sha` without classifier or renderer (blocking)."""
        kept = self._plain
        with self._lock:
            found = kept.get(sha)
            if found is not None:
                kept.move_to_end(sha)
                return found
        with self._building:
            with self._lock:
                if sha in kept:
                    return kept[sha]
            from switchboard.rules import load_ruleset

            result = load_ruleset(repo, sha, build_engine=False)
            if result.ruleset is None:
                problems = [problem_info(p) for p in result.errors]
                raise InvalidRevision(
                    f"Revision {sha[:12]} does not load ({len(problems)} problem(s)).",
                    {"problems": [f"{p.file}:{p.line}: {p.message}" for p in problems[:20]]},
                )
            with self._lock:
                kept[sha] = result.ruleset
                while len(kept) > PLAIN_KEPT:
                    kept.popitem(last=False)
            return result.ruleset
