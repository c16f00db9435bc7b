"""Turns a list of rule conditions into one Python function, for speed.

Calling one small closure per test costs more than the test itself; with hundreds of rules
that overhead dominates a decision. So the common tests (`exists`, `eq`/`ne`, string `in`,
numeric comparisons, `contains_any`) are written out as inline expressions in a single
generated function, and every other test calls its closure from `conditions.Compiler`,
which remains the reference for what a test means (a property test checks they agree).

The generated source contains only this module's fixed fragments and integer indexes: every
value from a rules file (fact names, constants, phrase sets, patterns) is passed in the
constant table `K`, never written into the source.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from switchboard.engine.conditions import ORDER, Compiler, in_order, same
from switchboard.engine.factview import FactView
from switchboard.rules.model import All, AnyOf, Condition, Not, Test

Runner = Callable[[FactView], list[int]]
_NUMBERS = (int, float)
_SYMBOLS = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


class _Writer:
    def __init__(self, compiler: Compiler) -> None:
        self.compiler = compiler
        self.constants: list[Any] = []

    def k(self, value: Any) -> str:
        self.constants.append(value)
        return f"K[{len(self.constants) - 1}]"

    def expression(self, condition: Condition) -> str:
        if isinstance(condition, Test):
            return self.test(condition)
        if isinstance(condition, All | AnyOf):
            parts = [self.expression(item) for item in condition.items]
            if not parts:
                return "True" if isinstance(condition, All) else "False"
            joiner = " and " if isinstance(condition, All) else " or "
            return "(" + joiner.join(parts) + ")"
        if isinstance(condition, Not):
            return f"(not {self.expression(condition.item)})"
        raise TypeError(f"not a condition: {condition!r}")

    def test(self, test: Test) -> str:
        op, value = test.op, test.value
        fact = self.k(test.fact)
        dates = self.compiler.fact_types.get(test.fact) in {"date", "datetime"}
        if op == "exists":
            return f"(get({fact}) is {'not ' if value else ''}None)"
        if op in {"eq", "ne"} and isinstance(value, bool):
            if op == "eq":
                return f"(get({fact}) is {self.k(value)})"
            return f"((v := get({fact})).__class__ is bool and v is not {self.k(value)})"
        if op in {"eq", "ne"} and not dates and isinstance(value, str | int | float):
            kind = "str" if isinstance(value, str) else "NUM"
            test_kind = "is" if kind == "str" else "in"
            target = self.k(value)
            same, differs = ("==", "") if op == "eq" else ("!=", "not ")
            return (
                f"(v {same} {target} if (v := get({fact})).__class__ {test_kind} {kind} "
                f"else (v is not None and {differs}SAME(v, {target})))"
            )
        if op in {"in", "not_in"} and not dates and all(isinstance(x, str) for x in value):
            members = self.k(frozenset(value))
            if op == "in":
                return f"((v := get({fact})).__class__ is str and v in {members})"
            return (
                f"((v := get({fact})) is not None and not (v.__class__ is str and v in {members}))"
            )
        if op in ORDER and value.__class__ in _NUMBERS:
            bound, compare = self.k(value), self.k(ORDER[op])
            return (
                f"(v {_SYMBOLS[op]} {bound} if (v := get({fact})).__class__ in NUM "
                f"else (v is not None and SLOW(v, {bound}, {compare})))"
            )
        if op == "contains_any":
            return f"(not {self.k(self.compiler.phrases(test))}.isdisjoint(f.found({fact})))"
        return f"{self.k(self.compiler.test(test))}(f)"


def build_runner(compiler: Compiler, rules: Sequence[tuple[int, Condition]]) -> Runner:
    """One function that returns the indexes of the given rules whose condition holds."""
    writer = _Writer(compiler)
    lines = ["def run(f):", "    get = f.get", "    hits = []"]
    for index, condition in rules:
        lines.append(f"    if {writer.expression(condition)}:")
        lines.append(f"        hits.append({int(index)})")
    lines.append("    return hits")
    namespace: dict[str, Any] = {
        "K": tuple(writer.constants),
        "NUM": _NUMBERS,
        "SAME": same,
        "SLOW": in_order,
    }
    exec(compile("\n".join(lines), "<escalation rules>", "exec"), namespace)
    runner: Runner = namespace["run"]
    return runner
