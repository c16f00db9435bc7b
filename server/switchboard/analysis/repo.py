"""Analysis of a rules repository at a revision, switched-off rules included.

The compiled Ruleset leaves out rules with `enabled: false`; the guarantee check still wants
to name them ("the VIP rule would cover this but is switched off"), so they are read from
the same files and compiled the same way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from switchboard.analysis.analyze import analyze
from switchboard.analysis.model import Analysis
from switchboard.analysis.protection import Protection
from switchboard.rules.conditions import compile_condition
from switchboard.rules.document import Document
from switchboard.rules.facts import Catalogue
from switchboard.rules.layout import kind_of
from switchboard.rules.model import Rule, Ruleset
from switchboard.rules.problems import Problem
from switchboard.rules.source import Source, open_source
from switchboard.rules.yamlread import parse_yaml


class CannotAnalyze(ValueError):
    """The revision does not load; `problems` says why."""

    def __init__(self, message: str, problems: list[Problem]) -> None:
        super().__init__(message)
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Loaded:
    ruleset: Ruleset
    disabled: tuple[Rule, ...]


def load(path: str | os.PathLike[str], rev: str | None = None) -> Loaded:
    """The revision compiled without its engine (no classifier is needed to analyse)."""
    from switchboard.rules import load_source

    source = open_source(path, rev)
    result = load_source(source, build_engine=False)
    if result.ruleset is None:
        where = f"{path}" + (f" at {rev}" if rev else "")
        raise CannotAnalyze(f"{where} does not load: {len(result.errors)} error(s)", result.errors)
    return Loaded(result.ruleset, tuple(disabled_rules(source, result.ruleset)))


def analyze_repo(
    path: str | os.PathLike[str],
    rev: str | None = None,
    *,
    against: str | None = None,
    protection: Protection | None = None,
) -> Analysis:
    """Analyse `rev`; with `against`, mark what is new compared with that revision."""
    head = load(path, rev)
    base = load(path, against) if against is not None else None
    return analyze(
        head.ruleset,
        base=base.ruleset if base else None,
        protection=protection,
        disabled=head.disabled,
        base_disabled=base.disabled if base else (),
    )


def disabled_rules(source: Source, ruleset: Ruleset) -> list[Rule]:
    """Rules with `enabled: false`, compiled against the revision's facts."""
    catalogue = Catalogue(ruleset.facts, {})
    found: list[Rule] = []
    for file in source.files:
        if kind_of(file.path) != "escalation":
            continue
        parsed, _ = parse_yaml(file.path, file.data)
        data = parsed.data if parsed is not None else None
        if parsed is None or not isinstance(data, dict):
            continue
        doc = Document(file.path, "escalation", data, parsed.marks, file.blob_sha)
        for n, raw in enumerate(data.get("rules") or []):
            if not isinstance(raw, dict) or raw.get("enabled", True) is not False:
                continue
            when = compile_condition(doc, f"/rules/{n}/when", raw["when"], catalogue, [])
            if when is None:
                continue
            then = raw["then"]
            found.append(
                Rule(
                    id=raw["id"],
                    title=str(raw.get("title", raw["id"])),
                    description=str(raw.get("description", "")),
                    set_id=str(data.get("id", "")),
                    when=when,
                    action=then["action"],
                    reason=then["reason"],
                    queue=then.get("queue"),
                    priority=then.get("priority"),
                    template=then.get("template"),
                    location=doc.location(f"/rules/{n}"),
                )
            )
    return found
