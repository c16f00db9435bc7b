"""Checks answer texts and shared texts: syntax, safety, snippets and the variables they read.

The template language itself belongs to the engine (`engine.render.check_template`); this
module decides what each template may read. An automatic answer may read its intent's lookup
results (only the declared fields), `customer`, `entities` and `inquiry`; a question asking
for a missing reference (a clarify template) gets no lookup results. A template used by
several intents must work for each of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from switchboard.rules.document import Document
from switchboard.rules.index import Index
from switchboard.rules.problems import Problem
from switchboard.rules.yamlread import escape

BASE_NAMES: dict[str, frozenset[str] | None] = {
    "customer": frozenset({"name", "account_no", "tier"}),
    "inquiry": frozenset({"channel", "locale", "subject"}),
    "entities": None,  # filled per revision: every entity id and currency
}
Variables = set[tuple[str, ...]]
Context = tuple[str, dict[str, frozenset[str] | None]]  # (who uses it, allowed names)


@lru_cache(maxsize=16_384)
def check_template(source: str) -> Any:
    """The engine's static check of one text; cached, as a reload sees mostly the same texts."""
    from switchboard.engine.render import check_template as engine_check

    return engine_check(source)


Uses = dict[tuple[str, str], tuple[set[str], Variables]]  # (snippet, locale) -> what it uses


class _Circle(Exception):
    pass


def check_templates(index: Index) -> list[Problem]:
    problems, uses = _check_snippets(index)
    contexts = _contexts(index)
    for doc in index.valid("template"):
        used_by = contexts.get(doc.data["id"], [])
        if not used_by:
            message = "No inquiry type or rule uses this answer text, so it is never sent."
            problems.append(doc.problem("/id", "unused_template", message, "warning"))
        for channel, by_locale in doc.data["channels"].items():
            for locale, variant in by_locale.items():
                for part in ("subject", "body"):
                    if part in variant:
                        pointer = f"/channels/{channel}/{escape(locale)}/{part}"
                        problems += _check_text(index, doc, pointer, locale, uses, used_by)
    return problems


def _check_snippets(index: Index) -> tuple[list[Problem], Uses]:
    problems: list[Problem] = []
    uses: Uses = {}
    for doc in index.valid("snippet"):
        for locale, text in doc.data["text"].items():
            result = check_template(text)
            problems += _errors(doc, f"/text/{escape(locale)}", result.errors)
            uses[(doc.data["id"], locale)] = (result.snippets, result.variables)
    for doc in index.valid("snippet"):
        for locale in doc.data["text"]:
            used = uses[(doc.data["id"], locale)][0]
            pointer = f"/text/{escape(locale)}"
            problems += _snippet_refs(index, doc, pointer, used, locale)
            problems += _nesting(doc, pointer, (doc.data["id"], locale), uses)
    return problems, uses


def _nesting(doc: Document, pointer: str, key: tuple[str, str], uses: Uses) -> list[Problem]:
    """Snippets that include themselves (through others) or nest deeper than the engine allows."""
    from switchboard.engine.render import MAX_SNIPPET_DEPTH

    def depth(current: tuple[str, str], trail: tuple[str, ...]) -> int:
        if current[0] in trail:
            raise _Circle(" -> ".join((*trail, current[0])))
        inner = [(s, current[1]) for s in uses[current][0] if (s, current[1]) in uses]
        return 1 + max((depth(c, (*trail, current[0])) for c in inner), default=0)

    try:
        levels = depth(key, ())
    except _Circle as circle:
        message = f"Shared texts include each other in a circle ({circle}): break the circle."
        return [doc.problem(pointer, "snippet_cycle", message)]
    if levels > MAX_SNIPPET_DEPTH:
        message = (
            f"Shared texts are nested {levels} deep here; at most {MAX_SNIPPET_DEPTH} are "
            "allowed. Include fewer shared texts inside each other."
        )
        return [doc.problem(pointer, "snippet_too_deep", message)]
    return []


def _check_text(
    index: Index, doc: Document, pointer: str, locale: str, uses: Uses, used_by: list[Context]
) -> list[Problem]:
    """One subject or body: syntax and safety, snippets, and the variables it (and the
    snippets it includes) reads."""
    text = doc.data
    for part in pointer.split("/")[1:]:
        text = text[part]
    result = check_template(text)
    problems = _errors(doc, pointer, result.errors)
    problems += _snippet_refs(index, doc, pointer, result.snippets, locale)
    variables = set(result.variables)
    for sid in _reachable(result.snippets, locale, uses):
        variables |= uses[(sid, locale)][1]
    return problems + _variables(doc, pointer, variables, used_by)


def _errors(doc: Document, pointer: str, errors: Iterable[str]) -> list[Problem]:
    out = []
    for error in errors:
        code = "template_syntax" if "does not parse" in error else "template_unsafe"
        out.append(doc.problem(pointer, code, f"The text cannot be used: {error}."))
    return out


def _snippet_refs(
    index: Index, doc: Document, pointer: str, ids: Iterable[str], locale: str
) -> list[Problem]:
    out = []
    for sid in sorted(ids):
        snippet = index.get("snippet", sid)
        if snippet is None:
            out += index.check_ref(doc, pointer, "snippet", sid)
        elif snippet.valid and locale not in snippet.data["text"]:
            message = f"The shared text `{sid}` has no `{locale}` text. Add it in {snippet.path}."
            out.append(doc.problem(pointer, "snippet_locale_missing", message))
    return out


def _reachable(ids: Iterable[str], locale: str, uses: Uses) -> set[str]:
    """Snippets used directly or through other snippets (circles are the engine's to report)."""
    seen: set[str] = set()
    todo = [sid for sid in ids if (sid, locale) in uses]
    while todo:
        sid = todo.pop()
        if sid not in seen:
            seen.add(sid)
            todo += [s for s in uses[(sid, locale)][0] if (s, locale) in uses]
    return seen


def _contexts(index: Index) -> dict[str, list[Context]]:
    """Template id -> everyone who sends it, with the variables each provides."""
    entity_names = frozenset([*index.ids.get("entity", {}), "currency"])
    base = {**BASE_NAMES, "entities": entity_names}
    contexts: dict[str, list[Context]] = {}
    for doc in index.valid("intent"):
        intent = doc.data["id"]
        answer = doc.data.get("answer")
        if answer is not None:
            names: dict[str, frozenset[str] | None] = dict(base)
            for lookup in answer.get("lookups", []):
                query = index.query(lookup["connector"], lookup["query"])
                names[lookup["as"]] = frozenset(query["fields"]) if query else None
            contexts.setdefault(answer["template"], []).append((f"inquiry type `{intent}`", names))
        if "clarify_template" in doc.data:
            who = f"inquiry type `{intent}` (asking for a reference)"
            contexts.setdefault(doc.data["clarify_template"], []).append((who, base))
    for doc in index.valid("escalation"):
        for rule in doc.data["rules"]:
            then = rule["then"]
            if then["action"] == "clarify" and "template" in then:
                contexts.setdefault(then["template"], []).append((f"rule `{rule['id']}`", base))
    return contexts


def _variables(
    doc: Document, pointer: str, variables: Variables, used_by: list[Context]
) -> list[Problem]:
    """One problem per text: every variable some user of the text cannot provide."""
    missing: dict[str, list[str]] = {}
    for path in sorted(variables):
        for who, names in used_by:
            if not _provided(path, names):
                missing.setdefault(who, []).append("{{ " + ".".join(path) + " }}")
    if not missing:
        return []
    parts = "; ".join(
        f"{', '.join(f'`{v}`' for v in values)} for {who}" for who, values in missing.items()
    )
    message = (
        f"These values are not available when this text is sent: {parts}. Use values the "
        "sender provides (its lookups' fields, customer, entities, inquiry) or add a lookup."
    )
    return [doc.problem(pointer, "template_variable", message)]


def _provided(path: tuple[str, ...], names: dict[str, Any]) -> bool:
    if path[0] not in names:
        return False
    fields = names[path[0]]
    return len(path) == 1 or fields is None or path[1] in fields
