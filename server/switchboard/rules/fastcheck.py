"""A fast yes/no schema check for documents that are valid, which is nearly all of them.

jsonschema walks a document through a generic machinery that costs about half a millisecond
per file; this compiles the same schemas into plain Python closures, one per schema object,
that do all of that object's work in one call. It only ever answers "certainly valid" or
"not sure": anything not certainly valid goes to jsonschema, which stays the single source
of every problem reported. A keyword this module does not know makes `compile_schema` raise
`Unsupported`, and that kind is then checked by jsonschema alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any], bool]
_ANNOTATIONS = {"$schema", "$id", "$defs", "$comment", "title", "description", "default"}
_ANNOTATIONS |= {"examples", "deprecated", "readOnly", "writeOnly", "then", "else"}
_OBJECT = {"properties", "required", "additionalProperties", "patternProperties"}
_OBJECT |= {"propertyNames", "minProperties", "maxProperties"}
_ARRAY = {"items", "minItems", "maxItems", "uniqueItems"}
_STRING = {"pattern", "minLength", "maxLength"}
_NUMBER = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}
_GROUPS = {"object": _OBJECT, "array": _ARRAY, "string": _STRING}
_TYPES: dict[str, Check] = {
    "object": lambda v: type(v) is dict,
    "array": lambda v: type(v) is list,
    "string": lambda v: type(v) is str,
    "boolean": lambda v: type(v) is bool,
    "null": lambda v: v is None,
    "number": lambda v: type(v) is int or type(v) is float,
    "integer": lambda v: type(v) is int or (type(v) is float and v.is_integer()),
}


class Unsupported(Exception):
    pass


def _true(value: Any) -> bool:
    return True


def compile_schema(schemas: Mapping[str, Any], name: str) -> Check:
    """A check for the schema file `name`; `schemas` holds every schema file by name."""
    return _Compiler(schemas).ref(name, "")


def _all(checks: list[Check]) -> Check:
    if not checks:
        return _true
    if len(checks) == 1:
        return checks[0]
    parts = tuple(checks)

    def check(value: Any) -> bool:  # plain loops here: no generator object per call
        for part in parts:  # noqa: SIM110
            if not part(value):
                return False
        return True

    return check


class _Compiler:
    def __init__(self, schemas: Mapping[str, Any]) -> None:
        self.schemas = schemas
        self.done: dict[tuple[str, str], Check] = {}

    def ref(self, base: str, ref: str) -> Check:
        file, _, fragment = ref.partition("#")
        key = (file or base, fragment)
        if key not in self.done:
            slot: list[Check] = []
            self.done[key] = lambda value: slot[0](value)  # recursion goes through the slot
            node = self.schemas[key[0]]
            for part in filter(None, fragment.split("/")):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            slot.append(self.compile(node, key[0]))
            self.done[key] = slot[0]
        return self.done[key]

    def compile(self, schema: Any, base: str) -> Check:
        if schema is True:
            return _true
        if schema is False:
            return lambda value: False
        known = _ANNOTATIONS | _OBJECT | _ARRAY | _STRING | _NUMBER
        known |= {"type", "enum", "const", "$ref", "if", "allOf", "anyOf", "oneOf", "not"}
        if set(schema) - known:
            raise Unsupported(", ".join(sorted(set(schema) - known)))
        types = schema.get("type")
        names = [types] if isinstance(types, str) else list(types or [])
        groups = [g for g, words in _GROUPS.items() if words & set(schema)]
        if len(groups) > 1:
            raise Unsupported(f"keywords for {' and '.join(groups)} in one schema")
        checks: list[Check] = []
        if groups == ["object"]:
            checks.append(self._object(schema, base, names == ["object"]))
        elif groups == ["array"]:
            checks.append(self._array(schema, base, names == ["array"]))
        elif groups == ["string"]:
            checks.append(_string(schema, names == ["string"]))
        if names and names != groups:  # a lone object/array/string type is tested above
            tests = tuple(_TYPES[name] for name in names)
            checks.insert(0, tests[0] if len(tests) == 1 else lambda v: any(t(v) for t in tests))
        if _NUMBER & set(schema):
            checks.append(_number(schema))
        if "enum" in schema or "const" in schema:
            checks.append(_enum(schema["enum"] if "enum" in schema else [schema["const"]]))
        if "$ref" in schema:
            checks.append(self.ref(base, schema["$ref"]))
        if "if" in schema:
            checks.append(self._if(schema, base))
        for keyword in ("allOf", "anyOf", "oneOf"):
            if keyword in schema:
                checks.append(self._combine(keyword, schema[keyword], base))
        if "not" in schema:
            inner = self.compile(schema["not"], base)
            checks.append(lambda v: not inner(v))
        return _all(checks)

    def _object(self, schema: Any, base: str, typed: bool) -> Check:
        props = {k: self.compile(s, base) for k, s in schema.get("properties", {}).items()}
        required = tuple(schema.get("required", ()))
        extra = self.compile(schema.get("additionalProperties", True), base)
        patterns = [
            (re.compile(p).search, self.compile(s, base))
            for p, s in schema.get("patternProperties", {}).items()
        ]
        name_ok = self.compile(schema.get("propertyNames", True), base)
        low, high = schema.get("minProperties", 0), schema.get("maxProperties", 1 << 30)

        def check(value: Any) -> bool:
            if type(value) is not dict:
                return not typed
            if not low <= len(value) <= high:
                return False
            for name in required:
                if name not in value:
                    return False
            for key, item in value.items():
                if not name_ok(key):
                    return False
                hits = [ok for search, ok in patterns if search(key)] if patterns else []
                for ok in hits:
                    if not ok(item):
                        return False
                sub = props.get(key)
                if sub is not None:
                    if not sub(item):
                        return False
                elif not hits and not extra(item):
                    return False
            return True

        return check

    def _array(self, schema: Any, base: str, typed: bool) -> Check:
        item = self.compile(schema.get("items", True), base)
        low, high = schema.get("minItems", 0), schema.get("maxItems", 1 << 30)
        unique = schema.get("uniqueItems", False)

        def check(value: Any) -> bool:
            if type(value) is not list:
                return not typed
            if not low <= len(value) <= high:
                return False
            if unique and not (
                all(type(i) is str for i in value) and len(set(value)) == len(value)
            ):
                return False  # not sure: let jsonschema decide
            for entry in value:  # noqa: SIM110
                if not item(entry):
                    return False
            return True

        return check

    def _if(self, schema: Any, base: str) -> Check:
        test = self.compile(schema["if"], base)
        then = self.compile(schema.get("then", True), base)
        other = self.compile(schema.get("else", True), base)
        return lambda v: then(v) if test(v) else other(v)

    def _combine(self, keyword: str, subs: list[Any], base: str) -> Check:
        parts = [self.compile(sub, base) for sub in subs]
        if keyword == "allOf":
            return _all(parts)
        if keyword == "anyOf":
            return lambda v: any(part(v) for part in parts)
        return lambda v: sum(1 for part in parts if part(v)) == 1


def _string(schema: Any, typed: bool) -> Check:
    search = re.compile(schema["pattern"]).search if "pattern" in schema else None
    low, high = schema.get("minLength", 0), schema.get("maxLength", 1 << 30)

    def check(value: Any) -> bool:
        if type(value) is not str:
            return not typed
        if not low <= len(value) <= high:
            return False
        return search is None or search(value) is not None

    return check


def _number(schema: Any) -> Check:
    low, high = schema.get("minimum"), schema.get("maximum")
    above, below = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")

    def check(value: Any) -> bool:
        if type(value) is not int and type(value) is not float:
            return True
        return (
            (low is None or value >= low)
            and (high is None or value <= high)
            and (above is None or value > above)
            and (below is None or value < below)
        )

    return check


def _enum(values: list[Any]) -> Check:
    if not all(type(item) is str for item in values):
        raise Unsupported("enum or const with values other than text")
    allowed = frozenset(values)
    return lambda v: type(v) is str and v in allowed
