"""Checks that everything one file names exists: teams, answer texts, data queries, ...

Only documents that passed their schema check are looked at, so every field read here has
the shape the schema promises.
"""

from __future__ import annotations

import difflib
from typing import Any

from switchboard.rules.document import Document
from switchboard.rules.facts import Catalogue
from switchboard.rules.index import Index
from switchboard.rules.problems import Problem
from switchboard.rules.yamlread import escape

DATA_ERRORS = ("timeout", "error", "not_found", "circuit_open")


def check_references(index: Index, facts: Catalogue) -> list[Problem]:
    problems: list[Problem] = []
    settings = index.settings
    if settings is not None and settings.valid:
        problems += index.check_ref(
            settings, "/default_queue", "queue", settings.data["default_queue"]
        )
        if "customer_lookup" in settings.data:
            problems += _query(
                index, settings, "/customer_lookup", settings.data["customer_lookup"]
            )
        problems += _classifier(index, settings)
    for doc in index.valid("intent"):
        problems += _intent(index, doc, facts)
    for doc in index.valid("escalation"):
        for n, rule in enumerate(doc.data["rules"]):
            then, at = rule["then"], f"/rules/{n}/then"
            problems += index.check_ref(doc, f"{at}/queue", "queue", then.get("queue"))
            problems += index.check_ref(doc, f"{at}/template", "template", then.get("template"))
    for doc in index.valid("test"):
        seen: set[str] = set()
        for n, case in enumerate(doc.data["cases"]):
            problems += _test_case(index, doc, f"/cases/{n}", case)
            if case["id"] in seen:
                message = f"Two cases are called `{case['id']}` in this file: rename one."
                problems.append(doc.problem(f"/cases/{n}/id", "duplicate_id", message))
            seen.add(case["id"])
    return problems


def _classifier(index: Index, settings: Document) -> list[Problem]:
    """`classifier.intent_thresholds` names inquiry types; options the chosen method ignores."""
    block = settings.data.get("classifier", {})
    problems = []
    for name in block.get("intent_thresholds", {}):
        at = f"/classifier/intent_thresholds/{escape(name)}"
        unknown = index.check_ref(settings, at, "intent", name)
        intent = index.get("intent", name)
        if not unknown and intent is not None and intent.valid and not intent.data["routine"]:
            message = f"`{name}` is never answered automatically, so its similarity is not used."
            problems.append(settings.problem(at, "unused_setting", message, "warning"))
        problems += unknown
    backend = block.get("backend", "embedding")
    only_embedding = ("strict", "threshold", "intent_thresholds", "ngram_weight")
    for name in only_embedding if backend != "embedding" else ():
        if name in block:
            message = f"`{name}` only applies to `backend: embedding`; {backend} ignores it."
            problems.append(
                settings.problem(f"/classifier/{name}", "unused_setting", message, "warning")
            )
    return problems


def _query(index: Index, doc: Document, at: str, ref: dict[str, Any]) -> list[Problem]:
    """`connector` and `query` of one reference to a data query."""
    connector = index.get("connector", ref["connector"])
    if connector is None:
        return index.check_ref(doc, f"{at}/connector", "connector", ref["connector"])
    if not connector.valid or ref["query"] in connector.data["queries"]:
        return []
    names = sorted(connector.data["queries"])
    close = difflib.get_close_matches(ref["query"], names, n=3)
    hint = f" Did you mean {' or '.join(close)}?" if close else f" It has: {', '.join(names)}."
    message = f"The data connection `{ref['connector']}` has no query `{ref['query']}`.{hint}"
    return [doc.problem(f"{at}/query", "unknown_query", message)]


def _also_answers(index: Index, doc: Document) -> list[Problem]:
    """`also_answers` names other routine intents, none of which names this one back."""
    data = doc.data
    problems: list[Problem] = []
    for n, other_id in enumerate(data.get("also_answers", [])):
        at = f"/also_answers/{n}"
        found = index.check_ref(doc, at, "intent", other_id)
        if found:
            problems += found
            continue
        other = index.get("intent", other_id)
        if other_id == data["id"]:
            message = "An inquiry type cannot name itself under also_answers."
        elif not data.get("routine"):
            message = "Only a routine inquiry type answers automatically: remove also_answers."
        elif other is None or not other.valid:
            continue
        elif not other.data.get("routine"):
            message = f"`{other_id}` is not routine: its inquiries always go to a person."
        elif data["id"] in other.data.get("also_answers", []):
            message = (
                f"`{other_id}` names `{data['id']}` under also_answers too: say which of the "
                "two answers both questions, in one of the files only."
            )
        else:
            continue
        problems.append(doc.problem(at, "invalid_also_answers", message))
    return problems


def _intent(index: Index, doc: Document, facts: Catalogue) -> list[Problem]:
    data = doc.data
    problems = index.check_ref(doc, "/queue", "queue", data["queue"])
    problems += index.check_ref(doc, "/clarify_template", "template", data.get("clarify_template"))
    for n, entity in enumerate(data.get("entities", {}).get("one_of", [])):
        problems += index.check_ref(doc, f"/entities/one_of/{n}", "entity", entity)
    problems += _also_answers(index, doc)
    answer = data.get("answer")
    if answer is None:
        return problems
    problems += index.check_ref(doc, "/answer/template", "template", answer["template"])
    earlier: list[str] = []
    for n, lookup in enumerate(answer.get("lookups", [])):
        at = f"/answer/lookups/{n}"
        found = _query(index, doc, at, lookup)
        problems += found
        query = index.query(lookup["connector"], lookup["query"])
        if not found and query is not None:
            problems += _params(index, doc, at, lookup, query, earlier, facts)
        if lookup["as"] in earlier:
            message = f"Two lookups are called `{lookup['as']}`: give each its own `as` name."
            problems.append(doc.problem(f"{at}/as", "duplicate_id", message))
        earlier.append(lookup["as"])
    return problems


def _params(
    index: Index,
    doc: Document,
    at: str,
    lookup: dict[str, Any],
    query: dict[str, Any],
    earlier: list[str],
    facts: Catalogue,
) -> list[Problem]:
    """Each query input comes from a known fact; data only from lookups listed before."""
    problems = []
    given = lookup.get("params", {})
    for param, fact in given.items():
        pointer = f"{at}/params/{escape(param)}"
        if param not in query["params"]:
            takes = ", ".join(query["params"])
            message = f"The query `{lookup['query']}` has no input `{param}`; it takes: {takes}."
            problems.append(doc.problem(pointer, "unknown_param", message))
        elif fact.startswith("data.") and fact.split(".")[1] not in earlier:
            message = f"`{fact}` can only come from a lookup listed before this one."
            problems.append(doc.problem(pointer, "unknown_fact", message))
        elif facts.type_of(fact) is None:
            problems.append(doc.problem(pointer, "unknown_fact", f"There is no fact `{fact}`."))
    for param in query["params"]:
        if param not in given and not index.exists("entity", param):
            message = (
                f"The query input `{param}` is taken from the reference `entities.{param}`, "
                f"but no such reference is defined, so it is always empty. Add it under "
                f"`params` (e.g. {param}: data.<earlier lookup>.<field>) or in entities/."
            )
            problems.append(doc.problem(at, "param_unbound", message, "warning"))
    return problems


def _test_case(index: Index, doc: Document, at: str, case: dict[str, Any]) -> list[Problem]:
    expect = case["expect"]
    conversation = case.get("conversation", {})
    problems = index.check_ref(doc, f"{at}/expect/intent", "intent", expect.get("intent"))
    problems += index.check_ref(doc, f"{at}/expect/queue", "queue", expect.get("queue"))
    problems += index.check_ref(doc, f"{at}/conversation/queue", "queue", conversation.get("queue"))
    previous = conversation.get("previous_intent")
    problems += index.check_ref(doc, f"{at}/conversation/previous_intent", "intent", previous)
    for key, row in case.get("data", {}).items():
        pointer = f"{at}/data/{escape(key)}"
        connector, _, name = key.partition(".")
        found = _query(index, doc, pointer, {"connector": connector, "query": name})
        if found:
            problems += [
                Problem(p.file, p.line, p.column, pointer, p.code, p.message) for p in found
            ]
            continue
        query = index.query(connector, name)
        if "error" in row:
            if row["error"] not in DATA_ERRORS or len(row) > 1:
                message = f"`error` must be the only field, one of: {', '.join(DATA_ERRORS)}."
                problems.append(doc.problem(f"{pointer}/error", "not_allowed", message))
        elif query is not None:
            for field in row:
                if field not in query["fields"]:
                    fields = ", ".join(query["fields"])
                    message = f"`{key}` returns no field `{field}`; its fields: {fields}."
                    problems.append(
                        doc.problem(f"{pointer}/{escape(field)}", "unknown_field", message)
                    )
    return problems
