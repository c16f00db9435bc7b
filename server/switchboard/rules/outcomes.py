"""Checks that every inquiry has somewhere to go and every rule does something complete.

Routine inquiry types need an answer (and only they may have one), exactly one type catches
what is out of scope, route rules name a team, clarify rules a question text, sets of rules
have distinct order numbers, and every answer text in use exists in every channel and
language. Data used in an automatic answer must be checkable against the asking customer.
"""

from __future__ import annotations

from switchboard.rules.index import Index
from switchboard.rules.model import CHANNELS
from switchboard.rules.problems import Problem


def check_outcomes(index: Index) -> list[Problem]:
    problems = _intents(index) + _rules(index)
    problems += _coverage(index, _templates_in_use(index))
    return problems


def _intents(index: Index) -> list[Problem]:
    problems: list[Problem] = []
    catch_all = []
    for doc in index.valid("intent"):
        data = doc.data
        if data.get("out_of_scope", False):
            catch_all.append(doc)
            if data["routine"]:
                message = (
                    "The out-of-scope type is never answered automatically: set `routine: false`."
                )
                problems.append(doc.problem("/routine", "out_of_scope_routine", message))
        if data["routine"] and "answer" not in data:
            message = (
                "A routine inquiry type needs an `answer` (the answer text and the data to "
                "fetch). Add one, or set `routine: false` so a person always takes it."
            )
            problems.append(doc.problem("/routine", "missing_answer", message))
        if not data["routine"] and "answer" in data:
            message = (
                "Only routine inquiry types are answered automatically: remove `answer` or "
                "set `routine: true`."
            )
            problems.append(doc.problem("/answer", "answer_not_routine", message))
        for n, lookup in enumerate(data.get("answer", {}).get("lookups", [])):
            query = index.query(lookup["connector"], lookup["query"])
            if query is not None and "owner_field" not in query:
                message = (
                    f"`{lookup['connector']}.{lookup['query']}` has no `owner_field`, so nobody "
                    "can check the data belongs to the asking customer. Add `owner_field` to "
                    "the query before using it in an automatic answer."
                )
                problems.append(
                    doc.problem(f"/answer/lookups/{n}", "lookup_without_owner", message)
                )
    if index.ids.get("intent") and not catch_all:
        message = (
            "No inquiry type has `out_of_scope: true`. Exactly one must catch everything "
            "the order desk does not handle."
        )
        problems.append(Problem("taxonomy/", 1, 1, "", "out_of_scope_missing", message))
    for doc in catch_all[1:]:
        message = f"Only one inquiry type may be out of scope; {catch_all[0].path} already is."
        problems.append(doc.problem("/out_of_scope", "out_of_scope_duplicate", message))
    return problems


def _rules(index: Index) -> list[Problem]:
    problems: list[Problem] = []
    precedences: dict[int, str] = {}
    for doc in index.valid("escalation"):
        precedence = doc.data["precedence"]
        if precedence in precedences:
            message = (
                f"The order number {precedence} is already used by {precedences[precedence]}. "
                "Give each set of rules its own number."
            )
            problems.append(doc.problem("/precedence", "duplicate_precedence", message))
        precedences.setdefault(precedence, doc.path)
        for n, rule in enumerate(doc.data["rules"]):
            then = rule["then"]
            if then["action"] == "route" and "queue" not in then:
                message = "A route rule needs a `queue`: the team that takes the inquiry."
                problems.append(doc.problem(f"/rules/{n}/then", "route_without_queue", message))
            if then["action"] == "clarify" and "template" not in then:
                message = "A clarify rule needs a `template`: the text that asks the customer."
                problems.append(
                    doc.problem(f"/rules/{n}/then", "clarify_without_template", message)
                )
    return problems


def _templates_in_use(index: Index) -> dict[str, str]:
    """Template id -> who uses it (for the message), for every template that can be sent."""
    used: dict[str, str] = {}
    for doc in index.valid("intent"):
        if "answer" in doc.data:
            used.setdefault(doc.data["answer"]["template"], f"inquiry type `{doc.data['id']}`")
        if "clarify_template" in doc.data:
            used.setdefault(doc.data["clarify_template"], f"inquiry type `{doc.data['id']}`")
    for doc in index.valid("escalation"):
        for rule in doc.data["rules"]:
            if rule["then"]["action"] == "clarify" and "template" in rule["then"]:
                used.setdefault(rule["then"]["template"], f"rule `{rule['id']}`")
    return used


def _coverage(index: Index, used: dict[str, str]) -> list[Problem]:
    problems: list[Problem] = []
    locales = index.locales
    for template_id, user in sorted(used.items()):
        doc = index.get("template", template_id)
        if doc is None or not doc.valid:
            continue
        channels = doc.data["channels"]
        missing = [
            f"{channel}/{locale}"
            for channel in CHANNELS
            for locale in locales
            if locale not in channels.get(channel, {})
        ]
        if missing:
            message = (
                f"This text is sent for {user}, so it needs every channel in every language; "
                f"missing: {', '.join(missing)}."
            )
            problems.append(doc.problem("/channels", "template_incomplete", message))
    return problems
