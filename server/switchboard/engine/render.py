"""Renders replies from a ruleset's templates and snippets, sandboxed and checked per channel.

`Renderer.build` checks and compiles every template variant and snippet once, when a revision
is loaded, and refuses the whole revision if any of them is unsafe or broken. `render` then
fills one variant with live data. Data is only ever printed, never evaluated: an order note
reading `{{ 7*7 }}` comes out as exactly that. Any failure is a `RenderError` with a stable
code, which the engine turns into a hand-off (`render_failed`) instead of a half-right answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Template
from jinja2.exceptions import SecurityError, UndefinedError

from switchboard.engine._channels import SMS_MAX_CHARS, ChannelError, check_channel
from switchboard.engine._filters import STATE_KEY, EmptyValueError, RenderState
from switchboard.engine._sandbox import make_environment
from switchboard.engine._snippet_graph import snippet_problems
from switchboard.engine._template_check import TemplateCheck, check_template
from switchboard.rules.model import Ruleset

__all__ = ["ERROR_CODES", "RenderError", "RenderedReply", "Renderer", "TemplateCheck"]
__all__ += ["SMS_MAX_CHARS", "check_template", "normalise"]

ERROR_CODES = frozenset(
    {
        "invalid_template",  # build: a template or snippet failed the check or did not compile
        "missing_variant",  # no template text for this template, channel and locale
        "missing_snippet",  # snippet('id') has no text in this locale
        "bad_variables",  # a variable name the caller may not use (`snippet`, `_...`)
        "undefined_variable",  # the template reads a variable or field that is not there
        "empty_value",  # a value to print (or format) is None
        "bad_value",  # a filter cannot format the value (`money` of a word, ...)
        "sandbox_violation",  # the sandbox refused an operation
        "output_too_large",  # the rendered text exceeds MAX_OUTPUT_CHARS
        "empty_reply",  # the body is empty once rendered
        "sms_too_long",
        "voice_url",
        "voice_unspeakable",
        "email_subject_missing",
    }
)
MAX_OUTPUT_CHARS = 50_000
MAX_SNIPPET_DEPTH = 3


class RenderError(Exception):
    """A reply could not be rendered; `code` is one of ERROR_CODES."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"RenderError({self.code!r}, {self.message!r})"


@dataclass(frozen=True, slots=True)
class RenderedReply:
    subject: str | None  # e-mail only; one line
    body: str


@dataclass(frozen=True, slots=True)
class _Variant:
    subject: Template | None
    body: Template


def normalise(text: str) -> str:
    """No trailing spaces on lines, at most one blank line in a row, no outer blank space."""
    lines: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = line.rstrip()
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).strip()


class Renderer:
    """The compiled templates and snippets of one revision. Safe to share between threads."""

    def __init__(
        self,
        variants: Mapping[tuple[str, str, str], _Variant],
        snippets: Mapping[tuple[str, str], Template],
        time_zone: ZoneInfo | None,
    ) -> None:
        self._variants = variants
        self._snippets = snippets
        self._time_zone = time_zone

    @classmethod
    def build(cls, ruleset: Ruleset) -> Renderer:
        """Check and compile everything; raise `invalid_template` listing every problem."""
        env = make_environment()
        problems: list[str] = []
        uses: dict[tuple[str, str], set[str]] = {}  # (template label, locale) -> snippet ids
        nested: dict[tuple[str, str], set[str]] = {}  # (snippet id, locale) -> snippet ids

        def compile_source(source: str, label: str) -> tuple[Template | None, TemplateCheck]:
            check = check_template(source)
            problems.extend(f"{label}: {error}" for error in check.errors)
            if check.errors:
                return None, check
            try:
                return env.from_string(source), check
            except Exception as exc:  # the check passed, so this would be a bug of ours
                problems.append(f"{label}: does not compile: {exc}")
                return None, check

        snippets: dict[tuple[str, str], Template] = {}
        for snippet in ruleset.snippets.values():
            for locale, text in snippet.text.items():
                compiled, check = compile_source(text, f"snippet {snippet.id} ({locale})")
                nested[(snippet.id, locale)] = check.snippets
                if compiled is not None:
                    snippets[(snippet.id, locale)] = compiled

        variants: dict[tuple[str, str, str], _Variant] = {}
        for template in ruleset.templates.values():
            for (channel, locale), variant in template.variants.items():
                label = f"template {template.id} ({channel}/{locale})"
                body, check = compile_source(variant.body, f"{label} body")
                used = set(check.snippets)
                subject = None
                if variant.subject is not None:
                    subject, subject_check = compile_source(variant.subject, f"{label} subject")
                    used |= subject_check.snippets
                uses[(label, locale)] = used
                if body is not None:
                    variants[(template.id, channel, locale)] = _Variant(subject, body)

        problems.extend(snippet_problems(uses, nested, ruleset.snippets, MAX_SNIPPET_DEPTH))
        time_zone = None
        try:
            time_zone = ZoneInfo(ruleset.settings.time_zone)
        except (ValueError, LookupError) as exc:
            problems.append(f"time zone {ruleset.settings.time_zone!r} is unknown: {exc}")
        if problems:
            raise RenderError(
                "invalid_template",
                f"{len(problems)} template problem(s):\n" + "\n".join(problems),
            )
        return cls(variants, snippets, time_zone)

    def render(
        self, template_id: str, channel: str, locale: str, variables: Mapping[str, Any]
    ) -> RenderedReply:
        """Render one variant with the given data, or raise RenderError."""
        variant = self._variants.get((template_id, channel, locale))
        if variant is None:
            raise RenderError(
                "missing_variant",
                f"template {template_id!r} has no {channel} text in locale {locale!r}",
            )
        for name in variables:
            if not isinstance(name, str) or name.startswith("_") or name == "snippet":
                raise RenderError("bad_variables", f"{name!r} cannot be used as a variable name")
        where = f"template {template_id} ({channel}/{locale})"
        body = normalise(self._run(variant.body, locale, variables, 0, where))
        subject = None
        if channel == "email" and variant.subject is not None:
            subject = " ".join(self._run(variant.subject, locale, variables, 0, where).split())
        try:
            check_channel(channel, subject, body)
        except ChannelError as exc:
            raise RenderError(exc.code, f"{where}: {exc}") from exc
        return RenderedReply(subject=subject, body=body)

    def _run(
        self, template: Template, locale: str, variables: Mapping[str, Any], depth: int, where: str
    ) -> str:
        def render_snippet(snippet_id: str) -> str:
            if depth + 1 > MAX_SNIPPET_DEPTH:
                raise RenderError(
                    "sandbox_violation", f"snippets nest deeper than {MAX_SNIPPET_DEPTH} levels"
                )
            compiled = self._snippets.get((snippet_id, locale))
            if compiled is None:
                raise RenderError(
                    "missing_snippet", f"snippet {snippet_id!r} has no text in locale {locale!r}"
                )
            inner = f"{where}, snippet {snippet_id}"
            return normalise(self._run(compiled, locale, variables, depth + 1, inner))

        state = RenderState(locale, self._time_zone, depth, render_snippet)
        pieces: list[str] = []
        size = 0
        try:
            for piece in template.generate({**variables, STATE_KEY: state}):
                size += len(piece)
                if size > MAX_OUTPUT_CHARS:
                    raise RenderError(
                        "output_too_large", f"{where}: longer than {MAX_OUTPUT_CHARS} characters"
                    )
                pieces.append(piece)
        except RenderError:
            raise
        except SecurityError as exc:
            raise RenderError("sandbox_violation", f"{where}: refused: {exc}") from exc
        except UndefinedError as exc:
            raise RenderError("undefined_variable", f"{where}: no value: {exc}") from exc
        except EmptyValueError as exc:
            raise RenderError("empty_value", f"{where}: {exc}") from exc
        except Exception as exc:  # any other failure is a bad value for a filter or operator
            raise RenderError("bad_value", f"{where}: {type(exc).__name__}: {exc}") from exc
        return "".join(pieces)
