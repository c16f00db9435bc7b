"""Editing one rules file, as a form made from its schema or as YAML; shared by the pages of
inquiry types, teams, snippets and any other file.

A save rebuilds the file from the form (keeping comments and layout where nothing changed,
see `yamledit`), or takes the YAML as typed, and commits it on the user's open proposal. The
proposal edit validates the whole revision, so both ways are checked exactly alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from litestar import Request, Response

from switchboard.proposals.errors import NotFound
from switchboard.proposals.model import Proposal
from switchboard.proposals.service import ProposalService
from switchboard.rules.layout import kind_of
from switchboard.users.model import User
from switchboard.web.ui.auth import need_role, user_of
from switchboard.web.ui.common import call, choices_for
from switchboard.web.ui.formdata import FormProblems, read_fields, text_of
from switchboard.web.ui.pages import redirect, render
from switchboard.web.ui.schemaform import Field, build_fields
from switchboard.web.ui.setup import ui_of
from switchboard.web.ui.working import Opened, SaveProblem, read_for, save_file
from switchboard.web.ui.yamledit import YamlEditError, load_plain, updated_text

MAX_YAML = 256 * 1024


@dataclass
class EditPage:
    """What the edit template shows."""

    path: str
    kind: str
    title: str
    section: str
    back: tuple[str, str]  # (url, label) of the list page
    here: str  # this page's url
    template: str = "file_edit.html"
    extra: dict[str, Any] = field(default_factory=dict)


async def show(
    request: Request[Any, Any, Any],
    page: EditPage,
    mode: str = "form",
    *,
    status: int = 200,
    problem: SaveProblem | None = None,
    typed: dict[str, Any] | None = None,
    typed_yaml: str | None = None,
    message: str = "",
) -> Response[str]:
    user = user_of(request)
    unsaved = None
    if problem is not None and problem.kind == "conflict":
        # Never offer the typed input on top of the newer file: that would quietly undo the
        # other change. Show the current file, and the input as text to copy from.
        unsaved = typed_yaml if typed_yaml is not None else _yaml_of(typed)
        typed, typed_yaml = None, None
    opened, fields = await _open(request, user, page, typed)
    return render(
        request,
        page.template,
        status=status,
        section=page.section,
        page=page,
        mode="yaml" if mode == "yaml" else "form",
        fields=fields,
        yaml_text=typed_yaml if typed_yaml is not None else opened.file.content,
        base=opened.file.blob,
        working=opened.proposal,
        problem=problem,
        message=message,
        unsaved=unsaved,
        can_edit=user.has("editor"),
        **page.extra,
    )


async def _open(
    request: Request[Any, Any, Any], user: User, page: EditPage, typed: dict[str, Any] | None
) -> tuple[Opened, list[Field]]:
    ui = ui_of(request.app.state)

    def work(service: ProposalService) -> tuple[Opened, list[Field]]:
        opened = read_for(service, user, page.path)
        ruleset = ui.revisions.plain(service.ws.repo, opened.revision)
        try:
            data = typed if typed is not None else load_plain(opened.file.content)
        except YamlEditError:
            data = {}
        return opened, build_fields(page.kind, data or {}, choices_for(ruleset))

    return await call(request, work)


async def save(request: Request[Any, Any, Any], page: EditPage) -> Response[Any]:
    """Commit the submitted form or YAML; on a problem, show the user's input again."""
    user = user_of(request)
    need_role(user, "editor", "change the rules")
    form = await request.form()
    mode = "yaml" if form.get("mode") == "yaml" else "form"
    base = str(form.get("base", "")) or None
    message = text_of(form, "message").strip() or f"Edit {page.path}"
    ui = ui_of(request.app.state)
    if mode == "yaml":
        text = text_of(form, "yaml")
        if len(text.encode()) > MAX_YAML:
            problem = SaveProblem("invalid", f"The file is larger than {MAX_YAML // 1024} KiB.")
            return await show(request, page, "yaml", status=422, problem=problem, typed_yaml=text)
        outcome = await call(request, lambda s: save_file(s, user, page.path, text, base, message))
        if isinstance(outcome, SaveProblem):
            status = 409 if outcome.kind == "conflict" else 422
            return await show(
                request, page, "yaml", status=status, problem=outcome, typed_yaml=text
            )
        return redirect(request, page.here + "?mode=yaml", _saved(outcome))

    def work(service: ProposalService) -> tuple[dict[str, Any], Proposal | SaveProblem]:
        opened = read_for(service, user, page.path)
        ruleset = ui.revisions.plain(service.ws.repo, opened.revision)
        fields = build_fields(page.kind, {}, choices_for(ruleset))
        data = read_fields(fields, form)
        if base and base != opened.file.blob:
            from switchboard.proposals.errors import StaleEdit
            from switchboard.web.ui.working import problem_of

            return data, problem_of(StaleEdit("stale"))
        text = updated_text(opened.file.content, data)
        return data, save_file(service, user, page.path, text, base, message)

    try:
        data, outcome = await call(request, work)
    except FormProblems as exc:
        lines = tuple(f"{label}: {text}" for label, text in exc.problems.items())
        problem = SaveProblem("invalid", "Some values cannot be used; nothing was saved.", lines)
        return await show(request, page, status=422, problem=problem)
    if isinstance(outcome, SaveProblem):
        status = 409 if outcome.kind == "conflict" else 422
        return await show(request, page, status=status, problem=outcome, typed=data)
    return redirect(request, page.here, _saved(outcome))


def _yaml_of(data: dict[str, Any] | None) -> str | None:
    if data is None:
        return None
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def _saved(proposal: Proposal) -> str:
    return f"Saved in your proposal “{proposal.title}”. It goes live once reviewed and merged."


def file_page(path: str, section: str = "files") -> EditPage:
    kind = kind_of(path)
    if kind is None:
        raise NotFound(f"{path} is not a rules file.", {"path": path})
    return EditPage(
        path=path,
        kind=kind,
        title=path,
        section=section,
        back=("/ui/", "Dashboard"),
        here=f"/ui/files/{path}",
    )
