"""Static check of one template source: what it refuses, which variables and snippets it uses.

The language is deliberately small: text, `{{ expressions }}`, `{% if %}`, `{% for %}` and
`{% set name = value %}`, our filters, a few tests and `snippet('id')`. Everything else is
refused here, by an allow-list of syntax nodes, before anything is compiled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jinja2 import nodes
from jinja2.exceptions import TemplateSyntaxError
from jinja2.sandbox import (
    UNSAFE_ASYNC_GENERATOR_ATTRIBUTES,
    UNSAFE_COROUTINE_ATTRIBUTES,
    UNSAFE_FUNCTION_ATTRIBUTES,
    UNSAFE_GENERATOR_ATTRIBUTES,
    UNSAFE_METHOD_ATTRIBUTES,
)

from switchboard.engine._filters import FILTER_USAGE
from switchboard.engine._sandbox import ALLOWED_TESTS, make_environment

MAX_SOURCE_CHARS = 20_000
MAX_LOOP_NESTING = 2
MAX_LITERAL_ITEMS = 100

# Jinja's own globals and internals, and objects other template setups expose (Flask's
# `request`, `config`, ...): none exists here, and a template naming one is probing.
RESERVED_NAMES = frozenset(
    {"range", "dict", "lipsum", "cycler", "joiner", "namespace", "self", "caller", "varargs",
     "kwargs", "super", "loop", "snippet", "request", "config", "session", "g", "url_for",
     "get_flashed_messages"}
)  # fmt: skip
UNSAFE_ATTRIBUTES = (
    UNSAFE_FUNCTION_ATTRIBUTES
    | UNSAFE_METHOD_ATTRIBUTES
    | UNSAFE_GENERATOR_ATTRIBUTES
    | UNSAFE_COROUTINE_ATTRIBUTES
    | UNSAFE_ASYNC_GENERATOR_ATTRIBUTES
)

_PLAIN = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Const, nodes.If, nodes.CondExpr,
    nodes.And, nodes.Or, nodes.Not, nodes.Neg, nodes.Pos, nodes.Add, nodes.Sub, nodes.Mul,
    nodes.Div, nodes.FloorDiv, nodes.Mod, nodes.Compare, nodes.Operand, nodes.Pair,
    nodes.Concat, nodes.Slice,
)  # fmt: skip
_REFUSED = {
    "Include": "{% include %} is not allowed: templates cannot read files; use snippet('id')",
    "Import": "{% import %} is not allowed: templates cannot read files; use snippet('id')",
    "FromImport": "{% from ... import %} is not allowed: templates cannot read files",
    "Extends": "{% extends %} is not allowed: templates cannot read files; use snippet('id')",
    "Block": "{% block %} is not allowed; write the text directly or use snippet('id')",
    "Macro": "{% macro %} is not allowed; put shared text in a snippet",
    "CallBlock": "{% call %} is not allowed; put shared text in a snippet",
    "FilterBlock": "{% filter %} blocks are not allowed; apply the filter to the value",
    "With": "{% with %} is not allowed; use {% set name = value %}",
    "AssignBlock": "{% set %}...{% endset %} is not allowed; use {% set name = value %}",
    "Scope": "{% autoescape %} is not allowed",
    "ScopedEvalContextModifier": "{% autoescape %} is not allowed",
    "EvalContextModifier": "{% autoescape %} is not allowed",
    "Pow": "the power operator ** is not allowed",
    "NSRef": "namespace assignments are not allowed",
}


@dataclass
class TemplateCheck:
    """Problems (plain sentences, `line N: ...`), free variable paths and snippet ids used."""

    errors: list[str] = field(default_factory=list)
    variables: set[tuple[str, ...]] = field(default_factory=set)
    snippets: set[str] = field(default_factory=set)


_PARSER = make_environment()


def check_template(source: str) -> TemplateCheck:
    """Check a template or snippet source without compiling or running it."""
    if len(source) > MAX_SOURCE_CHARS:
        return TemplateCheck(
            errors=[f"the text is {len(source)} characters long; at most {MAX_SOURCE_CHARS}"]
        )
    try:
        tree = _PARSER.parse(source)
    except TemplateSyntaxError as exc:
        return TemplateCheck(
            errors=[f"line {exc.lineno}: the template does not parse: {exc.message}"]
        )
    checker = _Checker()
    checker.visit(tree, set())
    return checker.result


def _line(node: nodes.Node) -> int | None:
    """The node's line, or its first child's (a few wrapper nodes carry none)."""
    if getattr(node, "lineno", None):
        return int(node.lineno)
    return next((line for c in node.iter_child_nodes() if (line := _line(c))), None)


class _Checker:
    def __init__(self) -> None:
        self.result = TemplateCheck()
        self.loop_depth = 0

    def error(self, node: nodes.Node, text: str) -> None:
        line = _line(node)
        message = text if line is None else f"line {line}: {text}"
        if message not in self.result.errors:
            self.result.errors.append(message)

    def visit(self, node: nodes.Node, bound: set[str]) -> None:
        handler = getattr(self, f"visit_{type(node).__name__}", None)
        if handler is not None:
            handler(node, bound)
        elif type(node) in _PLAIN:
            for child in node.iter_child_nodes():
                self.visit(child, bound)
        else:
            name = type(node).__name__
            self.error(node, _REFUSED.get(name, f"`{name}` is not allowed in templates"))

    def visit_Name(self, node: nodes.Name, bound: set[str]) -> None:
        self.use_name(node, None, bound)

    def use_name(self, node: nodes.Name, key: str | None, bound: set[str]) -> None:
        """A variable read, with the first attribute after it (`order.status`), if any."""
        name = node.name
        if name.startswith("_"):
            self.error(node, f"`{name}`: names starting with _ are not allowed")
        elif name == "snippet":
            self.error(node, "snippet can only be called, like snippet('signature')")
        elif name in bound:
            return
        elif name == "loop":
            self.error(node, "`loop` only exists inside {% for %}")
        elif name in RESERVED_NAMES:
            self.error(node, f"`{name}` is not available in templates")
        else:
            self.result.variables.add((name,) if key is None else (name, key))

    def visit_Getattr(self, node: nodes.Getattr | nodes.Getitem, bound: set[str]) -> None:
        """A chain like `order.lines[0].sku`: check every step, report the path once."""
        steps: list[tuple[nodes.Getattr | nodes.Getitem, str | None]] = []
        current: nodes.Node = node
        while isinstance(current, nodes.Getattr | nodes.Getitem):
            key: str | None = None
            if isinstance(current, nodes.Getattr):
                key = current.attr
            elif isinstance(current.arg, nodes.Const) and isinstance(current.arg.value, str):
                key = current.arg.value
            steps.append((current, key))
            current = current.node
        steps.reverse()  # from the root name outwards, so problems come in reading order
        if isinstance(current, nodes.Name):
            first = steps[0][1]
            self.use_name(current, None if first is None or first[:1] == "_" else first, bound)
        else:
            self.visit(current, bound)
        for step, key in steps:
            if key is not None:
                self.check_attribute(step, key)
            elif isinstance(step, nodes.Getitem):
                self.visit(step.arg, bound)

    visit_Getitem = visit_Getattr

    def check_attribute(self, node: nodes.Node, key: str) -> None:
        if key.startswith("_"):
            self.error(node, f"`{key}`: names starting with _ are not allowed")
        elif key in UNSAFE_ATTRIBUTES:
            self.error(node, f"`{key}` is not allowed in templates")

    def visit_Call(self, node: nodes.Call, bound: set[str]) -> None:
        arg = node.args[0] if len(node.args) == 1 else None
        plain = not (node.kwargs or node.dyn_args or node.dyn_kwargs)
        if isinstance(node.node, nodes.Name) and node.node.name == "snippet":
            if plain and isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                self.result.snippets.add(arg.value)
                return
            self.error(node, "snippet() takes one id written in quotes, like snippet('signature')")
        else:
            self.error(node, "calling functions or methods is not allowed; only snippet('id')")
            self.visit(node.node, bound)
        for child in [*node.args, *node.kwargs]:
            self.visit(child, bound)

    def visit_Filter(self, node: nodes.Filter, bound: set[str]) -> None:
        usage = FILTER_USAGE.get(node.name)
        if usage is None:
            known = ", ".join(FILTER_USAGE)
            self.error(node, f"there is no filter `{node.name}`; the filters are: {known}")
        elif node.kwargs or node.dyn_args or node.dyn_kwargs:
            self.error(node, f"write the filter as `{usage[2]}`, without named arguments")
        elif not usage[0] <= len(node.args) <= usage[1]:
            self.error(node, f"the filter `{node.name}` is written `{usage[2]}`")
        self.visit_operands(node, bound)

    def visit_Test(self, node: nodes.Test, bound: set[str]) -> None:
        if node.name not in ALLOWED_TESTS:
            self.error(node, f"there is no test `is {node.name}`")
        self.visit_operands(node, bound)

    def visit_operands(self, node: nodes.Filter | nodes.Test, bound: set[str]) -> None:
        if node.node is not None:
            self.visit(node.node, bound)
        for child in [*node.args, *node.kwargs]:
            self.visit(child, bound)

    def visit_Keyword(self, node: nodes.Keyword, bound: set[str]) -> None:
        self.visit(node.value, bound)

    def visit_List(self, node: nodes.List | nodes.Tuple | nodes.Dict, bound: set[str]) -> None:
        if len(node.items) > MAX_LITERAL_ITEMS:
            self.error(node, f"a list written in a template may have at most {MAX_LITERAL_ITEMS}")
        for child in node.iter_child_nodes():
            self.visit(child, bound)

    visit_Tuple = visit_Dict = visit_List

    def bind(self, target: nodes.Node, bound: set[str]) -> None:
        targets = target.items if isinstance(target, nodes.Tuple) else [target]
        for item in targets:
            if not isinstance(item, nodes.Name):
                self.visit(item, bound)  # NSRef and the like: refused there
            elif item.name.startswith("_") or item.name in RESERVED_NAMES:
                self.error(item, f"`{item.name}` cannot be used as a name here")
            else:
                bound.add(item.name)

    def visit_Assign(self, node: nodes.Assign, bound: set[str]) -> None:
        self.visit(node.node, bound)
        self.bind(node.target, bound)

    def visit_For(self, node: nodes.For, bound: set[str]) -> None:
        if node.recursive:
            self.error(node, "recursive loops are not allowed")
        self.visit(node.iter, bound)
        inner = set(bound)
        self.bind(node.target, inner)
        inner.add("loop")
        self.loop_depth += 1
        if self.loop_depth > MAX_LOOP_NESTING:
            self.error(node, f"loops may be nested at most {MAX_LOOP_NESTING} deep")
        for child in [*([node.test] if node.test else []), *node.body]:
            self.visit(child, inner)
        self.loop_depth -= 1
        for child in node.else_:
            self.visit(child, set(bound))
