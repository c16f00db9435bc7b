"""Loads one revision of a rules repository: read, parse, validate, compile, build the engine.

Every problem in every file is collected; nothing stops at the first one. A Ruleset is only
built when there is no error at all (warnings are fine), so a broken revision can never be
served: the caller keeps whatever it had before.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from switchboard.rules import schema_check
from switchboard.rules.compile import build_ruleset
from switchboard.rules.definitions import check_definitions
from switchboard.rules.document import Document
from switchboard.rules.escalations import compile_rules
from switchboard.rules.facts import Catalogue, build_catalogue
from switchboard.rules.index import Index, build_index
from switchboard.rules.layout import kind_of
from switchboard.rules.model import Rule, Ruleset
from switchboard.rules.outcomes import check_outcomes
from switchboard.rules.problems import Problem, has_errors, sort_key
from switchboard.rules.source import Source, open_source
from switchboard.rules.template_check import check_templates
from switchboard.rules.values import check_values
from switchboard.rules.xrefs import check_references
from switchboard.rules.yamlread import parse_yaml

PHASES = ("read", "parse", "validate", "compile", "engine")


@dataclass(slots=True)
class LoadResult:
    revision: str  # commit SHA, "worktree" for a plain folder, "" when nothing could be read
    ruleset: Ruleset | None  # None when there is any error
    problems: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # phase -> seconds (wall clock)
    cpu: dict[str, float] = field(default_factory=dict)  # phase -> CPU seconds of this process
    counts: dict[str, int] = field(default_factory=dict)  # kind -> number of files

    @property
    def ok(self) -> bool:
        return self.ruleset is not None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def load_ruleset(
    path: str | os.PathLike[str],
    rev: str | None = None,
    *,
    build_engine: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
    worktree: bool = False,
) -> LoadResult:
    """Read `path` (a git repository at `rev`, default HEAD, or a plain folder) and compile it.

    `worktree=True` reads a git repository's working files instead of a commit."""
    timings: dict[str, float] = {}
    cpu: dict[str, float] = {}
    with _timed(timings, cpu, "read"):
        source = open_source(path, rev, worktree=worktree)
    result = load_source(source, build_engine=build_engine, cache_dir=cache_dir)
    result.timings = {**timings, **result.timings}
    result.cpu = {**cpu, **result.cpu}
    return result


def load_source(
    source: Source,
    *,
    build_engine: bool = True,
    cache_dir: str | os.PathLike[str] | None = None,
) -> LoadResult:
    """Like `load_ruleset`, for files already read (e.g. from `source_from_files`)."""
    result = LoadResult(source.revision, None, list(source.problems))
    if has_errors(source.problems) and not source.files:
        return result  # nothing could be read: the reading problem says it all
    with _without_cycle_collection():
        ruleset = _check_and_compile(source, result)
    if ruleset is None:
        return result
    if build_engine:
        with _timed(result.timings, result.cpu, "engine"):
            ruleset = _with_engine(ruleset, cache_dir, result.problems)
    result.ruleset = None if has_errors(result.problems) else ruleset
    return result


def _check_and_compile(source: Source, result: LoadResult) -> Ruleset | None:
    with _timed(result.timings, result.cpu, "parse"):
        docs, unreadable = _parse(source, result.problems)
    result.counts = {kind: sum(d.kind == kind for d in docs) for kind in {d.kind for d in docs}}
    with _timed(result.timings, result.cpu, "validate"):
        index, facts, rules = _validate(docs, unreadable, result.problems)
    result.problems.sort(key=sort_key)
    if has_errors(result.problems):
        return None
    with _timed(result.timings, result.cpu, "compile"):
        return build_ruleset(index, facts, rules, source.revision)


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Pause the cycle collector while building: the many new containers kept alive would
    otherwise make it walk everything again and again (about a third of the parse time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _parse(source: Source, problems: list[Problem]) -> tuple[list[Document], set[str]]:
    """The documents, and the kinds of files that could not be parsed."""
    docs = []
    unreadable = {str(kind_of(p.file)) for p in source.problems if p.code == "file_too_large"}
    for file in source.files:
        parsed, found = parse_yaml(file.path, file.data)
        problems += found
        kind = kind_of(file.path)
        if kind is None:
            continue
        if parsed is None:
            unreadable.add(kind)
        else:
            docs.append(Document(file.path, kind, parsed.data, parsed.marks, file.blob_sha))
    return docs, unreadable


def _validate(
    docs: list[Document], unreadable: set[str], problems: list[Problem]
) -> tuple[Index, Catalogue, tuple[Rule, ...]]:
    for doc in docs:
        problems += schema_check.check(doc)
    index, found = build_index(docs, unreadable)
    problems += found
    facts, found = build_catalogue(index)
    problems += found
    checks: list[Callable[[Index], list[Problem]]] = [
        check_values,
        check_definitions,
        lambda i: check_references(i, facts),
        check_outcomes,
        check_templates,
    ]
    for check in checks:
        problems += check(index)
    rules = compile_rules(index, facts, problems)
    return index, facts, rules


def _with_engine(
    ruleset: Ruleset, cache_dir: str | os.PathLike[str] | None, problems: list[Problem]
) -> Ruleset:
    """The ruleset with its sandboxed renderer and trained classifier attached."""
    from switchboard.engine import classifier, render

    try:
        renderer = render.Renderer.build(ruleset)
        trained = classifier.train(ruleset, cache_dir=Path(cache_dir) if cache_dir else None)
    except Exception as exc:  # reported like any other problem; the old revision stays live
        message = f"The engine could not be prepared for this revision: {exc}"
        problems.append(Problem(".", 1, 1, "", "engine_build_failed", message))
        return ruleset
    return dataclasses.replace(ruleset, renderer=renderer, classifier=trained)


@contextmanager
def _timed(timings: dict[str, float], cpu: dict[str, float], phase: str) -> Iterator[Any]:
    start, start_cpu = time.perf_counter(), time.process_time()
    try:
        yield
    finally:
        timings[phase] = time.perf_counter() - start
        cpu[phase] = time.process_time() - start_cpu
