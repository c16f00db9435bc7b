"""Escalation rules: every set in the order they are checked, reordering, and one rule's form
with the condition builder. Each change is one commit on the user's open proposal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from switchboard.proposals.errors import NotFound
from switchboard.proposals.service import ProposalService
from switchboard.rules.model import Ruleset
from switchboard.users.model import User
from switchboard.web.ui import conditions as cb
from switchboard.web.ui.auth import need_role, require_user, user_of
from switchboard.web.ui.common import call, choices_for, path_of
from switchboard.web.ui.formdata import FormProblems, read_fields, text_of
from switchboard.web.ui.pages import redirect, render
from switchboard.web.ui.rulefields import rule_fields
from switchboard.web.ui.setup import ui_of
from switchboard.web.ui.working import Opened, SaveProblem, read_for, save_file
from switchboard.web.ui.yamledit import load_plain, updated_text

NEW = "new"


@dataclass
class RuleSet:
    """One escalation file as the list shows it."""

    id: str
    path: str
    title: str
    description: str
    precedence: int
    rules: list[dict[str, Any]]
    base: str


class EscalationController(Controller):
    path = "/ui/escalation"
    guards = [require_user]  # noqa: RUF012 - Litestar reads these class attributes
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any]) -> Response[Any]:
        user = user_of(request)
        sets, proposal = await call(request, lambda s: _sets(request, s, user))
        return render(
            request,
            "escalation.html",
            section="escalation",
            sets=sets,
            describe=cb.describe,
            working=proposal,
        )

    @post("/{set_id:str}/move")
    async def move(self, request: Request[Any, Any, Any], set_id: FromPath[str]) -> Response[Any]:
        user = user_of(request)
        need_role(user, "editor", "reorder rules")
        form = await request.form()
        rule_id, direction = str(form.get("rule", "")), str(form.get("direction", ""))
        base = str(form.get("base", "")) or None

        def work(service: ProposalService) -> Any:
            opened, _, path = _opened(request, service, user, set_id)
            data = load_plain(opened.file.content)
            rules = data.get("rules", [])
            index = next((i for i, r in enumerate(rules) if r.get("id") == rule_id), None)
            if index is None:
                raise NotFound(f"There is no rule {rule_id} in {path}.", {"rule": rule_id})
            other = index - 1 if direction == "up" else index + 1
            if not 0 <= other < len(rules):
                return SaveProblem("unchanged", "The rule is already at that end of its set.")
            rules[index], rules[other] = rules[other], rules[index]
            text = updated_text(opened.file.content, data)
            word = "up" if direction == "up" else "down"
            return save_file(
                service, user, path, text, base, f"Move rule {rule_id} {word} in {path}"
            )

        outcome = await call(request, work)
        if isinstance(outcome, SaveProblem):
            return redirect(
                request, f"/ui/escalation#set-{set_id}", "Not moved: " + outcome.message
            )
        return redirect(
            request,
            f"/ui/escalation#rule-{rule_id}",
            f"Moved {rule_id} {direction}; saved in “{outcome.title}”.",
        )

    @get("/{set_id:str}/{rule_id:str}")
    async def edit(
        self, request: Request[Any, Any, Any], set_id: FromPath[str], rule_id: FromPath[str]
    ) -> Response[Any]:
        return await _show(request, set_id, rule_id)

    @post("/{set_id:str}/{rule_id:str}")
    async def save(
        self, request: Request[Any, Any, Any], set_id: FromPath[str], rule_id: FromPath[str]
    ) -> Response[Any]:
        user = user_of(request)
        form = await request.form()
        action = str(form.get("action", "save"))
        tree = cb.read_node(form)
        if action.startswith(("add-test:", "add-group:", "remove:")):
            tree = cb.apply_action(tree, action)
            return await _show(
                request, set_id, rule_id, tree=tree, form=form, note="Not saved yet."
            )
        need_role(user, "editor", "change rules")
        return await _save(request, user, set_id, rule_id, form, tree, action)


def _opened(
    request: Request[Any, Any, Any], service: ProposalService, user: User, set_id: str
) -> tuple[Opened, Ruleset, str]:
    ui = ui_of(request.app.state)
    from switchboard.web.ui.working import revision_for

    sha, _ = revision_for(service, user)
    ruleset = ui.revisions.plain(service.ws.repo, sha)
    path = path_of(ruleset, "escalation", set_id)
    if path is None:
        raise NotFound(f"There is no set of escalation rules {set_id}.", {"set": set_id})
    return read_for(service, user, path), ruleset, path


def _sets(
    request: Request[Any, Any, Any], service: ProposalService, user: User
) -> tuple[list[RuleSet], Any]:
    from switchboard.web.ui.working import revision_for

    ui = ui_of(request.app.state)
    sha, proposal = revision_for(service, user)
    ruleset = ui.revisions.plain(service.ws.repo, sha)
    sets = []
    for info in ruleset.files:
        if info.kind != "escalation":
            continue
        file = service.file(info.path, proposal.id if proposal else None)
        data = load_plain(file.content)
        sets.append(
            RuleSet(
                id=info.id,
                path=info.path,
                title=str(data.get("title", info.id)),
                description=str(data.get("description", "")),
                precedence=int(data.get("precedence", 0)),
                rules=list(data.get("rules", [])),
                base=file.blob,
            )
        )
    return sorted(sets, key=lambda s: s.precedence), proposal


async def _show(
    request: Request[Any, Any, Any],
    set_id: str,
    rule_id: str,
    *,
    tree: cb.Node | None = None,
    form: Any = None,
    note: str = "",
    problem: SaveProblem | None = None,
    status: int = 200,
) -> Response[Any]:
    user = user_of(request)

    def work(service: ProposalService) -> dict[str, Any]:
        opened, ruleset, path = _opened(request, service, user, set_id)
        data = load_plain(opened.file.content)
        rule = _blank_rule() if rule_id == NEW else _rule(data, rule_id, path)
        typed = _typed_rule(form) if form is not None else rule
        return {
            "opened": opened,
            "ruleset": ruleset,
            "path": path,
            "set_title": str(data.get("title", set_id)),
            "fields": rule_fields(typed, choices_for(ruleset)),
            "tree": tree or cb.to_node(rule.get("when")),
        }

    found = await call(request, work)
    facts = cb.fact_choices(found["ruleset"])
    base = (
        str(form.get("base"))
        if form is not None and form.get("base")
        else found["opened"].file.blob
    )
    return render(
        request,
        "rule_edit.html",
        status=status,
        section="escalation",
        set_id=set_id,
        rule_id=rule_id,
        is_new=rule_id == NEW,
        path=found["path"],
        set_title=found["set_title"],
        fields=found["fields"],
        tree=found["tree"],
        facts=facts,
        fact_hints={f.name: f.hint for _, group in facts for f in group},
        operators=cb.operator_choices(),
        base=base,
        working=found["opened"].proposal,
        note=note,
        problem=problem,
        message=text_of(form, "message") if form is not None else "",
        can_edit=user.has("editor"),
    )


async def _save(
    request: Request[Any, Any, Any],
    user: User,
    set_id: str,
    rule_id: str,
    form: Any,
    tree: cb.Node,
    action: str,
) -> Response[Any]:
    base = str(form.get("base", "")) or None
    message = text_of(form, "message").strip()

    def work(service: ProposalService) -> tuple[str, Any]:
        opened, ruleset, path = _opened(request, service, user, set_id)
        data = load_plain(opened.file.content)
        rules: list[dict[str, Any]] = data.setdefault("rules", [])
        index = None if rule_id == NEW else _index(rules, rule_id, path)
        if action == "delete":
            if index is None or not form.get("confirm"):
                return "", SaveProblem("unchanged", "Tick the box to confirm deleting the rule.")
            removed = rules.pop(index)
            text = updated_text(opened.file.content, data)
            note = message or f"Delete rule {removed.get('id')} from {path}"
            return "", save_file(service, user, path, text, base, note)
        rule = read_fields(rule_fields({}, choices_for(ruleset)), form)
        when = cb.to_condition(tree, ruleset.facts)
        if when is None:
            return "", SaveProblem("invalid", "A rule needs a condition: add at least one test.")
        rule = _ordered({**rule, "when": when})
        if index is None:
            rules.append(rule)
        else:
            rules[index] = rule
        text = updated_text(opened.file.content, data)
        verb = "Add" if index is None else "Change"
        note = message or f"{verb} rule {rule.get('id')} in {path}"
        return str(rule.get("id", "")), save_file(service, user, path, text, base, note)

    try:
        new_id, outcome = await call(request, work)
    except FormProblems as exc:
        lines = tuple(f"{k}: {v}" for k, v in exc.problems.items())
        outcome, new_id = SaveProblem("invalid", "Some values cannot be used.", lines), ""
    if isinstance(outcome, SaveProblem):
        status = 409 if outcome.kind == "conflict" else 422
        if outcome.kind == "conflict":
            form = None  # show the current rule; never the input on top of a newer file
        return await _show(
            request,
            set_id,
            rule_id,
            tree=None if form is None else tree,
            form=form,
            problem=outcome,
            status=status,
        )
    if action == "delete":
        return redirect(
            request, f"/ui/escalation#set-{set_id}", f"Rule {rule_id} deleted in “{outcome.title}”."
        )
    return redirect(
        request,
        f"/ui/escalation#rule-{new_id}",
        f"Rule {new_id} saved in your proposal “{outcome.title}”.",
    )


def _rule(data: dict[str, Any], rule_id: str, path: str) -> dict[str, Any]:
    rules = data.get("rules", [])
    return dict(rules[_index(rules, rule_id, path)])


def _index(rules: list[dict[str, Any]], rule_id: str, path: str) -> int:
    for i, rule in enumerate(rules):
        if rule.get("id") == rule_id:
            return i
    raise NotFound(f"There is no rule {rule_id} in {path}.", {"rule": rule_id})


def _blank_rule() -> dict[str, Any]:
    return {
        "id": "",
        "when": {"all": [{"fact": "", "op": "eq", "value": ""}]},
        "then": {"action": "route"},
    }


def _typed_rule(form: Any) -> dict[str, Any]:
    try:
        return read_fields(rule_fields({}, None), form)
    except FormProblems:
        return {}


def _ordered(rule: dict[str, Any]) -> dict[str, Any]:
    order = ("id", "title", "description", "enabled", "when", "then")
    return {key: rule[key] for key in order if key in rule} | {
        k: v for k, v in rule.items() if k not in order
    }
