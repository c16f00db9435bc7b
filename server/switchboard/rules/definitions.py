"""Checks entity and connector definitions: expressions, reserved names, query inputs."""

from __future__ import annotations

import re
from typing import Any

from switchboard.rules.document import Document
from switchboard.rules.index import Index
from switchboard.rules.problems import Problem
from switchboard.rules.regex import RegexProblem, compile_re2
from switchboard.rules.yamlread import escape

RESERVED_ENTITIES = {"currency"}  # entities.currency is filled by the money parser
_GROUP_REF = re.compile(r"\{(\d+)\}")
_SQL_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_][A-Za-z0-9_]*)")
_PATH_PARAM = re.compile(r"\{([^{}]*)\}")


def check_definitions(index: Index) -> list[Problem]:
    problems: list[Problem] = []
    for doc in index.valid("entity"):
        problems += _entity(doc)
    for doc in index.valid("connector"):
        for name, query in doc.data["queries"].items():
            problems += _query(doc, f"/queries/{escape(name)}", query)
    return problems


def _entity(doc: Document) -> list[Problem]:
    data, problems = doc.data, []
    if data["id"] in RESERVED_ENTITIES:
        message = (
            f"`{data['id']}` is reserved: it holds the currency of a money amount. "
            "Choose another name."
        )
        problems.append(doc.problem("/id", "reserved_id", message))
    if data["type"] in ("string", "number") and not data.get("patterns"):
        message = (
            f"A {data['type']} reference needs `patterns` that say how to find it in a message."
        )
        problems.append(doc.problem("/type", "missing_patterns", message))
    for n, pattern in enumerate(data.get("patterns", [])):
        at = f"/patterns/{n}"
        try:
            groups = compile_re2(pattern["regex"]).groups
        except RegexProblem as exc:
            problems.append(doc.problem(f"{at}/regex", exc.code, exc.message))
            continue
        for ref in _GROUP_REF.findall(pattern.get("value", "")):
            if not 1 <= int(ref) <= groups:
                message = (
                    f"`{{{ref}}}` refers to a bracketed part the expression does not have "
                    f"(it has {groups})."
                )
                problems.append(doc.problem(f"{at}/value", "bad_group", message))
    if "valid" in data:
        try:
            compile_re2(data["valid"])
        except RegexProblem as exc:
            problems.append(doc.problem("/valid", exc.code, exc.message))
    return problems


def _query(doc: Document, at: str, query: dict[str, Any]) -> list[Problem]:
    problems = []
    params = set(query["params"])
    if "sql" in query:
        used = set(_SQL_PARAM.findall(query["sql"]))
        where = f"{at}/sql"
        first = query["sql"].lstrip().split(None, 1)[0].upper() if query["sql"].strip() else ""
        if first not in ("SELECT", "WITH") or ";" in query["sql"].strip().rstrip(";"):
            message = "`sql` must be exactly one SELECT statement: queries only read data."
            problems.append(doc.problem(where, "sql_not_select", message))
    else:
        request = query["request"]
        texts = [request["path"], *request.get("query", {}).values()]
        used = {name for text in texts for name in _PATH_PARAM.findall(text)}
        where = f"{at}/request"
    for name in sorted(used - params):
        message = f"`{name}` is used here but is not listed in `params`. Add it to `params`."
        problems.append(doc.problem(where, "unknown_param", message))
    owner = query.get("owner_field")
    if owner is not None and owner not in query["fields"]:
        message = f"`owner_field` {owner} must be one of the query's `fields`."
        problems.append(doc.problem(f"{at}/owner_field", "unknown_field", message))
    return problems
