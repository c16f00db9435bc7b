"""The Jinja environment every template and snippet is compiled in.

`check_template` refuses unsafe constructs before anything is compiled; this environment is the
second wall for whatever that check might miss. It has no loader (no files), one global
(`snippet`), only our filters, no callable values (a method read from a value is undefined),
no names or keys starting with `_`, and caps on every operator that can grow a value (`~`, `+`,
`*`), so neither a template nor the data it prints can reach Python internals or exhaust memory.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import StrictUndefined, nodes, pass_context
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, Undefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from switchboard.engine._filters import (
    FILTERS,
    MAX_VALUE_CHARS,
    STATE_KEY,
    EmptyValueError,
    RenderState,
)

MAX_INT_BITS = 128  # products of whole numbers beyond this are refused
ALLOWED_TESTS = (
    "defined", "undefined", "none", "number", "string", "true", "false",
    "even", "odd", "divisibleby", "in", "eq", "ne", "lt", "le", "gt", "ge",
)  # fmt: skip


class _CappedCodeGenerator(CodeGenerator):
    """Compiles `a ~ b` to a length-checked join instead of the unchecked built-in one."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.checked_concat((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


def _sized(value: Any) -> bool:
    return isinstance(value, str | list | tuple)


class SandboxEnvironment(ImmutableSandboxedEnvironment):
    code_generator_class = _CappedCodeGenerator
    intercepted_binops = frozenset({"+", "*", "**", "%"})

    def checked_concat(self, parts: tuple[Any, ...]) -> str:
        texts = [str(part) for part in parts]  # str() of a StrictUndefined raises
        if sum(map(len, texts)) > MAX_VALUE_CHARS:
            raise SecurityError(f"joining text with ~ beyond {MAX_VALUE_CHARS} characters")
        return "".join(texts)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            raise SecurityError("the power operator ** is not available")
        if operator == "%" and isinstance(left, str):
            raise SecurityError("string formatting with % is not available")
        if operator == "*":
            if _sized(left) and isinstance(right, int):
                left, right = right, left
            if isinstance(left, int) and _sized(right) and left * len(right) > MAX_VALUE_CHARS:
                raise SecurityError(f"repeating a value beyond {MAX_VALUE_CHARS} characters")
            both_int = isinstance(left, int) and isinstance(right, int)
            if both_int and left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise SecurityError("a product of whole numbers that large is not allowed")
        sum_of_sized = operator == "+" and _sized(left) and _sized(right)
        if sum_of_sized and len(left) + len(right) > MAX_VALUE_CHARS:
            raise SecurityError(f"adding values beyond {MAX_VALUE_CHARS} characters")
        return self.binop_table[operator](left, right)

    def getattr(self, obj: Any, attribute: str) -> Any:
        """`x.y`: a mapping's key first (so `order.items` is data, never `dict.items`)."""
        if attribute.startswith("_"):
            return self.unsafe_undefined(obj, attribute)
        if isinstance(obj, Mapping):
            try:
                return self._data(obj, attribute, obj[attribute])
            except (KeyError, TypeError):
                return self.undefined(obj=obj, name=attribute)
        return self._data(obj, attribute, super().getattr(obj, attribute))

    def getitem(self, obj: Any, argument: Any) -> Any:
        """`x['y']` / `x[0]`: keys and indexes; a string key on an object reads the attribute."""
        if isinstance(argument, str) and not isinstance(obj, Mapping):
            return self.getattr(obj, argument)
        if isinstance(argument, str) and argument.startswith("_"):
            return self.unsafe_undefined(obj, argument)
        try:
            return self._data(obj, argument, obj[argument])
        except (LookupError, TypeError):
            return self.undefined(obj=obj, name=argument)

    def _data(self, obj: Any, name: Any, value: Any) -> Any:
        """Values only: anything callable (a method, a class) reads as undefined."""
        if callable(value) and not isinstance(value, Undefined):
            return self.undefined(obj=obj, name=name)
        return value


def _finalize(value: Any) -> Any:
    if value is None:
        raise EmptyValueError("a value to be printed is empty; use `| default('...')` or {% if %}")
    return value


@pass_context
def snippet(context: Context, snippet_id: str) -> str:
    """`snippet('id')`: the snippet's text in the reply's locale, rendered with its variables."""
    state = context.get(STATE_KEY)
    if not isinstance(state, RenderState):
        raise SecurityError("snippet() can only be used while a reply is rendered")
    return state.render_snippet(str(snippet_id))


def make_environment() -> SandboxEnvironment:
    env = SandboxEnvironment(
        undefined=StrictUndefined,
        autoescape=False,
        loader=None,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_finalize,
        cache_size=0,
        auto_reload=False,
    )
    env.globals.clear()
    env.globals["snippet"] = snippet
    env.filters.clear()
    env.filters.update(FILTERS)
    env.tests = {name: env.tests[name] for name in ALLOWED_TESTS}
    return env
