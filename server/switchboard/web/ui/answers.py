"""Answer texts (templates/) per channel and language with a live preview, and the shared
texts (snippets/) with the answer texts that use them."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery

from switchboard.engine.render import check_template
from switchboard.proposals.errors import NotFound
from switchboard.proposals.service import ProposalService
from switchboard.rules.model import CHANNELS, Ruleset
from switchboard.web.ui import editing
from switchboard.web.ui.auth import need_role, require_user, user_of
from switchboard.web.ui.common import blocking, call, current_rules, path_of
from switchboard.web.ui.formdata import text_of
from switchboard.web.ui.pages import redirect, render
from switchboard.web.ui.preview import render_preview, users_of
from switchboard.web.ui.setup import ui_of
from switchboard.web.ui.working import SaveProblem, read_for, revision_for, save_file
from switchboard.web.ui.yamledit import load_plain, updated_text


def snippet_users(ruleset: Ruleset) -> dict[str, list[str]]:
    """Snippet id -> ids of the templates whose texts include it (as the renderer reads them)."""
    used: dict[str, list[str]] = {s: [] for s in ruleset.snippets}
    for template in sorted(ruleset.templates.values(), key=lambda t: t.id):
        found: set[str] = set()
        for variant in template.variants.values():
            for source in (variant.body, variant.subject or ""):
                found |= check_template(source).snippets
        for snippet in sorted(found & set(used)):
            used[snippet].append(template.id)
    return used


class AnswerTexts(Controller):
    path = "/ui/templates"
    guards = [require_user]  # noqa: RUF012 - Litestar reads these class attributes
    include_in_schema = False

    @get("/")
    async def index(self, request: Request[Any, Any, Any]) -> Response[Any]:
        ruleset, proposal = await current_rules(request, user_of(request))
        return render(
            request,
            "templates.html",
            section="templates",
            templates=sorted(ruleset.templates.values(), key=lambda t: t.id),
            snippets=sorted(ruleset.snippets.values(), key=lambda s: s.id),
            used_by={t: users_of(ruleset, t) for t in ruleset.templates},
            snippet_users=snippet_users(ruleset),
            channels=CHANNELS,
            locales=ruleset.settings.locales,
            working=proposal,
        )

    @get("/{template_id:str}")
    async def edit(
        self,
        request: Request[Any, Any, Any],
        template_id: FromPath[str],
        channel: FromQuery[str] = "email",
        locale: FromQuery[str] = "",
    ) -> Response[Any]:
        return await _show(request, template_id, channel, locale)

    @post("/{template_id:str}/preview")
    async def preview(
        self, request: Request[Any, Any, Any], template_id: FromPath[str]
    ) -> Response[Any]:
        form = await request.form()
        channel, locale = str(form.get("channel", "email")), str(form.get("locale", ""))
        subject = text_of(form, "subject") if channel == "email" else None
        body = text_of(form, "body")
        ruleset, _ = await current_rules(request, user_of(request))
        if template_id not in ruleset.templates:
            raise NotFound(f"There is no answer text {template_id}.", {"template": template_id})
        shown = await blocking(
            lambda: render_preview(ruleset, template_id, channel, locale, subject, body)
        )
        if request.headers.get("x-fragment"):
            return render(request, "_preview.html", preview=shown)
        return await _show(
            request, template_id, channel, locale, typed=(subject, body), shown=shown
        )

    @post("/{template_id:str}")
    async def save(
        self, request: Request[Any, Any, Any], template_id: FromPath[str]
    ) -> Response[Any]:
        user = user_of(request)
        need_role(user, "editor", "change answer texts")
        form = await request.form()
        channel, locale = str(form.get("channel", "email")), str(form.get("locale", ""))
        subject, body = text_of(form, "subject"), text_of(form, "body")
        base = str(form.get("base", "")) or None
        message = text_of(form, "message").strip() or f"Edit {template_id} ({channel}/{locale})"

        def work(service: ProposalService) -> Any:
            sha, _ = revision_for(service, user)
            ruleset = ui_of(request.app.state).revisions.plain(service.ws.repo, sha)
            path = path_of(ruleset, "template", template_id)
            if path is None or channel not in CHANNELS or locale not in ruleset.settings.locales:
                raise NotFound(f"There is no answer text {template_id} for {channel}/{locale}.")
            opened = read_for(service, user, path)
            data = load_plain(opened.file.content)
            variant: dict[str, Any] = {"subject": subject, "body": body}
            if channel != "email":
                variant.pop("subject")
            data.setdefault("channels", {}).setdefault(channel, {})[locale] = variant
            text = updated_text(opened.file.content, data)
            return save_file(service, user, path, text, base, message)

        outcome = await call(request, work)
        here = f"/ui/templates/{template_id}?channel={channel}&locale={locale}"
        if isinstance(outcome, SaveProblem):
            status = 409 if outcome.kind == "conflict" else 422
            typed = None if outcome.kind == "conflict" else (subject, body)
            return await _show(
                request, template_id, channel, locale, typed=typed, problem=outcome, status=status
            )
        return redirect(request, here, f"Saved in your proposal “{outcome.title}”.")


async def _show(
    request: Request[Any, Any, Any],
    template_id: str,
    channel: str,
    locale: str,
    *,
    typed: tuple[str | None, str] | None = None,
    shown: Any = None,
    problem: SaveProblem | None = None,
    status: int = 200,
) -> Response[Any]:
    user = user_of(request)
    ruleset, proposal = await current_rules(request, user)
    template = ruleset.templates.get(template_id)
    path = path_of(ruleset, "template", template_id)
    if template is None or path is None:
        raise NotFound(f"There is no answer text {template_id}.", {"template": template_id})
    channel = channel if channel in CHANNELS else "email"
    locale = locale if locale in ruleset.settings.locales else ruleset.settings.default_locale
    opened = await call(request, lambda s: read_for(s, user, path))
    variant = template.variants.get((channel, locale))
    subject, body = typed if typed else ((variant.subject, variant.body) if variant else ("", ""))
    if shown is None:
        shown = await blocking(
            lambda: render_preview(ruleset, template_id, channel, locale, subject, body)
        )
    intents, rules = users_of(ruleset, template_id)
    return render(
        request,
        "template_edit.html",
        status=status,
        section="templates",
        template=template,
        path=path,
        channel=channel,
        locale=locale,
        channels=CHANNELS,
        locales=ruleset.settings.locales,
        subject=subject or "",
        body=body,
        preview=shown,
        base=opened.file.blob,
        intents=intents,
        rules=rules,
        problem=problem,
        working=proposal,
        can_edit=user.has("editor"),
    )


class SnippetPages(Controller):
    path = "/ui/snippets"
    guards = [require_user]  # noqa: RUF012
    include_in_schema = False

    @get("/{snippet_id:str}")
    async def edit(
        self,
        request: Request[Any, Any, Any],
        snippet_id: FromPath[str],
        mode: FromQuery[str] = "form",
    ) -> Response[Any]:
        return await editing.show(request, await _snippet_page(request, snippet_id), mode)

    @post("/{snippet_id:str}")
    async def save(
        self, request: Request[Any, Any, Any], snippet_id: FromPath[str]
    ) -> Response[Any]:
        return await editing.save(request, await _snippet_page(request, snippet_id))


async def _snippet_page(request: Request[Any, Any, Any], snippet_id: str) -> editing.EditPage:
    ruleset, _ = await current_rules(request, user_of(request))
    path = path_of(ruleset, "snippet", snippet_id)
    if path is None:
        raise NotFound(f"There is no shared text {snippet_id}.", {"snippet": snippet_id})
    return editing.EditPage(
        path=path,
        kind="snippet",
        title=f"Shared text {snippet_id}",
        section="templates",
        back=("/ui/templates", "Answer texts"),
        here=f"/ui/snippets/{snippet_id}",
        template="snippet_edit.html",
        extra={"used_by": snippet_users(ruleset).get(snippet_id, [])},
    )
