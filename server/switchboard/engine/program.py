"""A revision's escalation rules, compiled once and indexed for fast evaluation.

Two indexes keep rule evaluation in the tens of microseconds with hundreds of rules, without
changing which rules fire:
- most rules start with `intent in [...]`; such a rule cannot match another intent, so each
  intent keeps only the rules that can match it;
- a rule that only asks whether a text contains one of some phrases is looked up from the
  phrases actually found in the text (one pass for all such rules) instead of being run.
The remaining rules of each intent are compiled into one function (`codegen`). Fired rules
are always reported in evaluation order.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from switchboard.engine.codegen import Runner, build_runner
from switchboard.engine.conditions import Compiler, intents_of, phrase_only, referenced_facts
from switchboard.engine.factview import FactView, PhraseBook
from switchboard.rules.model import All, Condition, Query, Rule, Test


@dataclass(frozen=True, slots=True)
class CompiledRule:
    index: int
    rule: Rule
    facts: frozenset[str]


@dataclass(frozen=True, slots=True)
class Program:
    rules: tuple[CompiledRule, ...]  # every rule, in evaluation order
    by_intent: Mapping[str, tuple[CompiledRule, ...]]  # rules to run for an intent
    unscoped: tuple[CompiledRule, ...]  # rules to run for an intent the taxonomy lacks
    by_phrase: Mapping[str, Mapping[str, tuple[int, ...]]]  # fact -> phrase -> rule indexes
    facts_by_intent: Mapping[str, frozenset[str]]  # facts the rules for that intent read
    runners: Mapping[str, Runner]  # per intent: the indexes of its rules that hold
    unscoped_runner: Runner
    book: PhraseBook
    queries: Mapping[tuple[str, str], Query]  # (connector, query) -> query, for lookups

    def view(self, facts: Mapping[str, Any]) -> FactView:
        return FactView(facts, self.book)

    def rules_for(self, intent: str) -> tuple[CompiledRule, ...]:
        return self.by_intent.get(intent, self.unscoped)

    def facts_for(self, intent: str) -> frozenset[str]:
        return self.facts_by_intent.get(intent, self.facts_by_intent.get("", frozenset()))

    def evaluated(self, intent: str) -> int:
        """How many rules can match `intent` (the others cannot, whatever the facts)."""
        phrase_rules = {
            i for index in self.by_phrase.values() for ids in index.values() for i in ids
        }
        return len(self.rules_for(intent)) + len(phrase_rules)

    def fired(self, intent: str, view: FactView) -> list[Rule]:
        """Every rule that holds, in evaluation order."""
        hits = self.runners.get(intent, self.unscoped_runner)(view)
        found_any = False
        for fact, index in self.by_phrase.items():
            for phrase in view.found(fact):
                matched = index.get(phrase)
                if matched:
                    hits.extend(matched)
                    found_any = True
        if found_any:
            hits = sorted(set(hits))
        return [self.rules[i].rule for i in hits]


def compile_program(ruleset: Any) -> Program:
    compiler = Compiler(ruleset.facts)
    rules: list[CompiledRule] = []
    scopes: list[frozenset[str] | None] = []
    by_phrase: dict[str, dict[str, list[int]]] = {}
    phrase_rules: set[int] = set()
    for index, rule in enumerate(ruleset.rules):
        facts = frozenset(referenced_facts(rule.when))
        rules.append(CompiledRule(index, rule, facts))
        scopes.append(intents_of(rule.when))
        tests = phrase_only(rule.when)
        if tests is not None:
            phrase_rules.add(index)
            for test in tests:
                for phrase in compiler.phrases(test):
                    by_phrase.setdefault(test.fact, {}).setdefault(phrase, []).append(index)

    def runnable(intent: str | None) -> tuple[CompiledRule, ...]:
        return tuple(
            c
            for c, scope in zip(rules, scopes, strict=True)
            if c.index not in phrase_rules and (scope is None or intent in scope)
        )

    def read(intent: str | None) -> frozenset[str]:
        chosen = [c for c, s in zip(rules, scopes, strict=True) if s is None or intent in s]
        return frozenset().union(*(c.facts for c in chosen))

    def runner(intent: str | None) -> Runner:
        """The rules that can match `intent`, as one function; within its intent scope a
        rule's own top-level intent tests hold by construction, so they are left out."""
        chosen = []
        for c in runnable(intent):
            residual = _without_intent_tests(c.rule.when) if intent is not None else None
            chosen.append((c.index, residual or c.rule.when))
        return build_runner(compiler, chosen)

    intents = list(ruleset.intents)
    return Program(
        rules=tuple(rules),
        by_intent={intent: runnable(intent) for intent in intents},
        unscoped=runnable(None),
        by_phrase={
            f: {p: tuple(ids) for p, ids in index.items()} for f, index in by_phrase.items()
        },
        facts_by_intent={intent: read(intent) for intent in [*intents, ""]},
        runners={intent: runner(intent) for intent in intents},
        unscoped_runner=runner(None),
        book=compiler.book,
        queries={
            (connector.id, name): query
            for connector in ruleset.connectors.values()
            for name, query in connector.queries.items()
        },
    )


def _without_intent_tests(condition: Condition) -> Condition | None:
    """`condition` minus its top-level `intent eq/in` tests, or None if it has none."""
    if not isinstance(condition, All):
        return None
    rest = tuple(
        item
        for item in condition.items
        if not (isinstance(item, Test) and item.fact == "intent" and item.op in {"eq", "in"})
    )
    if len(rest) == len(condition.items):
        return None
    return rest[0] if len(rest) == 1 else All(rest)


_cache: dict[int, Program] = {}
_lock = threading.Lock()


def program_for(ruleset: Any) -> Program:
    """The compiled program of `ruleset`, built on first use and dropped with the ruleset."""
    key = id(ruleset)
    program = _cache.get(key)
    if program is None:
        program = compile_program(ruleset)
        with _lock:
            if key not in _cache:
                _cache[key] = program
                weakref.finalize(ruleset, _cache.pop, key, None)
            program = _cache[key]
    return program
