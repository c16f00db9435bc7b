"""The sandboxed template renderer: channels, filters, snippets, checks and injection payloads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from jinja2 import TemplateError

from switchboard.engine import _sandbox
from switchboard.engine.render import (
    MAX_OUTPUT_CHARS,
    SMS_MAX_CHARS,
    RenderedReply,
    Renderer,
    RenderError,
    check_template,
    normalise,
)
from switchboard.rules.model import Location, Ruleset, Settings, Snippet, Template, TemplateVariant

Sources = dict[tuple[str, str], tuple[str | None, str]]  # (channel, locale) -> (subject, body)


def make_ruleset(
    templates: dict[str, Sources],
    snippets: dict[str, dict[str, str]] | None = None,
    time_zone: str = "Europe/Berlin",
) -> Ruleset:
    settings = Settings(
        name="Test desk",
        locales=("en", "de"),
        default_locale="en",
        time_zone=time_zone,
        approved_ref="main",
        default_queue="order_desk",
        confidence_floor=0.6,
        conversation_window_days=14,
        customer_lookup=None,
        business_hours={},
    )
    built = {
        template_id: Template(
            id=template_id,
            description="",
            variants={
                key: TemplateVariant(subject, body, Location(f"templates/{template_id}.yaml"))
                for key, (subject, body) in sources.items()
            },
        )
        for template_id, sources in templates.items()
    }
    return Ruleset(
        revision="0" * 40,
        settings=settings,
        intents={},
        rules=(),
        queues={},
        templates=built,
        snippets={
            sid: Snippet(id=sid, description="", text=text)
            for sid, text in (snippets or {}).items()
        },
        entities={},
        connectors={},
        tests=(),
        files=(),
        facts={},
    )


def one(body: str, channel: str = "chat", subject: str | None = None, **snippets: str) -> Renderer:
    """A renderer with one template `t` for one channel in English."""
    texts = {sid: {"en": text} for sid, text in snippets.items()}
    return Renderer.build(make_ruleset({"t": {(channel, "en"): (subject, body)}}, texts))


def render_one(body: str, channel: str = "chat", **variables: Any) -> str:
    subject = "Subject" if channel == "email" else None
    return one(body, channel, subject).render("t", channel, "en", variables).body


SNIPPETS = {
    "greeting": {"en": "Dear {{ customer.name }},", "de": "Guten Tag {{ customer.name }},"},
    "signature": {
        "en": "Kind regards\n{{ snippet('team') }}",
        "de": "Mit freundlichen Grüßen\n{{ snippet('team') }}",
    },
    "team": {"en": "The Nordwerk order desk", "de": "Ihr Nordwerk Auftragsservice"},
}
ORDER_STATUS: Sources = {
    ("email", "en"): (
        "Your order {{ order.order_no }}",
        "{{ snippet('greeting') }}   \n"
        "your order {{ order.order_no }} ({{ order.po_number }}) is {{ order.status }}.\n"
        "It should arrive on {{ order.eta | date }}."
        " Value: {{ order.value | money(order.currency) }}.\n\n\n\n"
        "{{ snippet('signature') }}\n",
    ),
    ("email", "de"): (
        "Ihre Bestellung {{ order.order_no }}",
        "{{ snippet('greeting') }}\n"
        "Ihre Bestellung {{ order.order_no }} ({{ order.po_number }}) ist {{ order.status }}.\n"
        "Voraussichtliche Ankunft: {{ order.eta | date }}."
        " Wert: {{ order.value | money(order.currency) }}.\n\n"
        "{{ snippet('signature') }}",
    ),
    ("sms", "en"): (None, "Order {{ order.order_no }}: {{ order.status }}, ETA {{order.eta|date}}"),
    ("sms", "de"): (None, "Auftrag {{ order.order_no }}: {{ order.status }}, {{ order.eta|date }}"),
    ("chat", "en"): (
        None,
        "Order {{ order.order_no }} has {{ order.lines | length }} lines:\n"
        "{% for line in order.lines %}\n"
        "- {{ line.qty }} x {{ line.sku }}\n"
        "{% endfor %}",
    ),
    ("chat", "de"): (None, "Auftrag {{ order.order_no }}: {{ order.lines | length }} Positionen"),
    ("voice", "en"): (None, "Your order is {{ order.status }}. It arrives on {{order.eta|date}}."),
    ("voice", "de"): (None, "Ihre Bestellung ist {{ order.status }}. Ankunft {{order.eta|date}}."),
}  # fmt: skip


def order_variables(**order: Any) -> dict[str, Any]:
    base = {
        "order_no": "SO4500123",
        "po_number": "4711-0045",
        "status": "shipped",
        "eta": dt.date(2026, 12, 3),
        "value": 12500.5,
        "currency": "EUR",
        "lines": [{"sku": "P-100", "qty": 2}, {"sku": "S-7", "qty": 10}],
    }
    return {
        "customer": {"name": "Hydro-Kraft GmbH", "account_no": "K100230", "tier": "standard"},
        "order": base | order,
        "entities": {"order_number": "SO4500123"},
        "inquiry": {"channel": "email", "locale": "en", "subject": "Order SO4500123"},
    }


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer.build(make_ruleset({"order_status": ORDER_STATUS}, SNIPPETS))


# ----- channels --------------------------------------------------------------------------

CHANNEL_CASES = [
    (
        "email",
        "en",
        "Your order SO4500123",
        "Dear Hydro-Kraft GmbH,\nyour order SO4500123 (4711-0045) is shipped.\n"
        "It should arrive on 3 December 2026. Value: EUR 12,500.50.\n\n"
        "Kind regards\nThe Nordwerk order desk",
    ),
    (
        "email",
        "de",
        "Ihre Bestellung SO4500123",
        "Guten Tag Hydro-Kraft GmbH,\nIhre Bestellung SO4500123 (4711-0045) ist shipped.\n"
        "Voraussichtliche Ankunft: 3. Dezember 2026. Wert: 12.500,50 EUR.\n\n"
        "Mit freundlichen Grüßen\nIhr Nordwerk Auftragsservice",
    ),
    ("sms", "en", None, "Order SO4500123: shipped, ETA 3 December 2026"),
    ("sms", "de", None, "Auftrag SO4500123: shipped, 3. Dezember 2026"),
    ("chat", "en", None, "Order SO4500123 has 2 lines:\n- 2 x P-100\n- 10 x S-7"),
    ("chat", "de", None, "Auftrag SO4500123: 2 Positionen"),
    ("voice", "en", None, "Your order is shipped. It arrives on 3 December 2026."),
    ("voice", "de", None, "Ihre Bestellung ist shipped. Ankunft 3. Dezember 2026."),
]


@pytest.mark.parametrize(("channel", "locale", "subject", "body"), CHANNEL_CASES)
def test_renders_every_channel_and_locale(
    renderer: Renderer, channel: str, locale: str, subject: str | None, body: str
) -> None:
    reply = renderer.render("order_status", channel, locale, order_variables())
    assert reply == RenderedReply(subject=subject, body=body)


def test_normalise_strips_line_ends_collapses_blank_lines_and_trims() -> None:
    assert normalise("\n\n  Hello  \r\n\n\n\nworld\t\n \n\nbye \n\n") == "Hello\n\nworld\n\nbye"
    assert normalise(" \n \n") == ""


def test_missing_variant_names_template_channel_and_locale(renderer: Renderer) -> None:
    for template_id, channel, locale in [
        ("order_status", "email", "fr"),
        ("order_status", "fax", "en"),
        ("no_such_template", "email", "en"),
    ]:
        with pytest.raises(RenderError) as caught:
            renderer.render(template_id, channel, locale, order_variables())
        assert caught.value.code == "missing_variant"
        assert template_id in caught.value.message and locale in caught.value.message


def test_email_needs_a_subject() -> None:
    for subject in [None, "{{ '' }}  ", "{% if false %}x{% endif %}"]:
        with pytest.raises(RenderError) as caught:
            one("Body", "email", subject).render("t", "email", "en", {})
        assert caught.value.code == "email_subject_missing"


def test_email_subject_is_one_line_even_when_data_has_line_breaks() -> None:
    renderer = one("Body", "email", "Re: {{ inquiry.subject }}")
    smuggled = "Order 1\r\nBcc: everyone@evil.example\n\nhello"
    reply = renderer.render("t", "email", "en", {"inquiry": {"subject": smuggled}})
    assert reply.subject == "Re: Order 1 Bcc: everyone@evil.example hello"


def test_subject_only_on_email() -> None:
    reply = one("Body", "chat", "Ignored {{ x }}").render("t", "chat", "en", {})
    assert reply.subject is None


def test_empty_body_is_refused() -> None:
    with pytest.raises(RenderError) as caught:
        render_one("{% if order.lines %}lines{% endif %}  \n\n", order={"lines": []})
    assert caught.value.code == "empty_reply"


def test_sms_limit_counts_characters_after_rendering() -> None:
    renderer = one("Note: {{ text }}", "sms")
    room = SMS_MAX_CHARS - len("Note: ")
    exact = renderer.render("t", "sms", "en", {"text": "ü" * room}).body
    assert len(exact) == SMS_MAX_CHARS
    with pytest.raises(RenderError) as caught:
        renderer.render("t", "sms", "en", {"text": "ü" * (room + 1)})
    assert caught.value.code == "sms_too_long"
    assert str(SMS_MAX_CHARS + 1) in caught.value.message


@pytest.mark.parametrize(
    "url",
    [
        "https://track.example/SO4500123",
        "http://nordwerk.example",
        "www.nordwerk.example",
        "ftp://files.example/x",
        "nordwerk.com/track",
        "nordwerk.de",
        "portal.nordwerk.example",
    ],
)
def test_voice_refuses_urls_also_when_they_come_from_data(url: str) -> None:
    with pytest.raises(RenderError) as caught:
        render_one("Track it at {{ shipment.tracking_url }} please.", "voice", shipment={
            "tracking_url": url
        })  # fmt: skip
    assert caught.value.code == "voice_url"


@pytest.mark.parametrize(
    "text",
    [
        "Your order SO4500123 costs EUR 12,500.50 (incl. 19% VAT) – thank you!",
        "Schreiben Sie an claims@nordwerk.example, Zeichen „4711-0045“ … danke.",
        "Version 1.5/2 arrives at 10:30, see page 3.",
    ],
)
def test_voice_accepts_plain_speech(text: str) -> None:
    assert render_one("{{ text }}", "voice", text=text) == text


@pytest.mark.parametrize("text", ["**Shipped**", "Status: <b>ok</b>", "Done ✅", "a_b", "x = 1"])
def test_voice_refuses_characters_speech_cannot_say(text: str) -> None:
    with pytest.raises(RenderError) as caught:
        render_one("{{ text }}", "voice", text=text)
    assert caught.value.code == "voice_unspeakable"


# ----- undefined and empty values ---------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "missing"),
    [
        ("Hello {{ customer.name }}", "customer"),
        ("ETA {{ order.eta }}", "eta"),
        ("{{ order.eta | date }}", "eta"),
        ("{{ order.lines | length }}", "lines"),
        ("{% for line in order.lines %}{{ line.sku }}{% endfor %}", "lines"),
        ("{{ 'x' ~ order.nothing }}", "nothing"),
        ("{{ order.items }}", "items"),  # a dict's method is never printed in place of data
    ],
)
def test_undefined_variable_is_an_error_never_a_gap(body: str, missing: str) -> None:
    with pytest.raises(RenderError) as caught:
        render_one(body, order={"order_no": "SO4500123"})
    assert caught.value.code == "undefined_variable"
    assert missing in caught.value.message


def test_data_keys_win_over_mapping_methods() -> None:
    assert (
        render_one("{{ order.items }} {{ order.keys }}", order={"items": 3, "keys": "k"}) == "3 k"
    )


def test_empty_values_are_errors_unless_given_a_default() -> None:
    with pytest.raises(RenderError) as caught:
        render_one("ETA {{ order.eta }}", order={"eta": None})
    assert caught.value.code == "empty_value"
    with pytest.raises(RenderError) as caught:
        render_one("ETA {{ order.eta | date }}", order={"eta": None})
    assert caught.value.code == "empty_value"
    assert render_one("ETA {{ order.eta | default('open') }}", order={"eta": None}) == "ETA open"


def test_tests_see_missing_values_without_failing() -> None:
    body = "{% if order.eta is defined and order.eta is not none %}{{ order.eta|date }}"
    body += "{% else %}no date yet{% endif %}"
    assert render_one(body, order={}) == "no date yet"
    assert render_one(body, order={"eta": None}) == "no date yet"
    assert render_one(body, order={"eta": "2026-01-05"}) == "5 January 2026"


# ----- filters ----------------------------------------------------------------------------

FILTER_CASES = [
    ("{{ v | date }}", "en", dt.date(2026, 12, 3), "3 December 2026"),
    ("{{ v | date }}", "de", dt.date(2026, 12, 3), "3. Dezember 2026"),
    ("{{ v | date }}", "de", dt.date(2026, 3, 1), "1. März 2026"),
    ("{{ v | date }}", "en", "2026-07-04", "4 July 2026"),
    ("{{ v | date }}", "en", "2026-07-04T09:30:00", "4 July 2026"),
    ("{{ v | date }}", "de", dt.datetime(2026, 12, 3, 23, 30, tzinfo=dt.UTC), "4. Dezember 2026"),
    ("{{ v | date }}", "en", "2026-06-30T22:15:00+00:00", "1 July 2026"),
    ("{{ v | money('EUR') }}", "en", 12500.5, "EUR 12,500.50"),
    ("{{ v | money('EUR') }}", "de", 12500.5, "12.500,50 EUR"),
    ("{{ v | money('usd') }}", "en", 1234567, "USD 1,234,567.00"),
    ("{{ v | money('EUR') }}", "de", Decimal("0.005"), "0,01 EUR"),
    ("{{ v | money('EUR') }}", "en", "-980.4", "-EUR 980.40"),
    ("{{ v | money('EUR') }}", "de", -0.001, "0,00 EUR"),
    ("{{ v | upper }}", "en", "shipped", "SHIPPED"),
    ("{{ v | lower }}", "en", "SO4500123", "so4500123"),
    ("{{ v | default('n/a') }}", "en", None, "n/a"),
    ("{{ v | default('n/a') }}", "en", "", ""),
    ("{{ v | default('n/a', true) }}", "en", "", "n/a"),
    ("{{ v | join(', ') }}", "en", ["SO1", "SO2", 3], "SO1, SO2, 3"),
    ("{{ v | length }}", "en", ["a", "b", "c"], "3"),
    ("{{ v | length }}", "en", "abcd", "4"),
    ("{{ v | round }}", "en", 2.5, "3"),
    ("{{ v | round(2) }}", "en", 3.14159, "3.14"),
    ("{{ v | round(0, 'floor') }}", "en", 7.9, "7"),
    ("{{ v | trim }}", "en", "  padded \t", "padded"),
    ("{{ v | replace('-', ' ') }}", "en", "HK-2026-118", "HK 2026 118"),
    ("{{ v | replace('a', 'b', 1) }}", "en", "aaa", "baa"),
]


@pytest.mark.parametrize(("body", "locale", "value", "expected"), FILTER_CASES)
def test_filters(body: str, locale: str, value: Any, expected: str) -> None:
    ruleset = make_ruleset({"t": {("chat", locale): (None, f"[{body}]")}})
    reply = Renderer.build(ruleset).render("t", "chat", locale, {"v": value})
    assert reply.body == f"[{expected}]"


def test_a_regional_locale_uses_its_language_style() -> None:
    ruleset = make_ruleset({"t": {("chat", "de-AT"): (None, "{{ v | money('EUR') }}")}})
    assert Renderer.build(ruleset).render("t", "chat", "de-AT", {"v": 5}).body == "5,00 EUR"


@pytest.mark.parametrize(
    ("body", "value"),
    [
        ("{{ v | date }}", "3.12.2026"),
        ("{{ v | date }}", 20261203),
        ("{{ v | money('EUR') }}", "twelve"),
        ("{{ v | money('EUR') }}", True),
        ("{{ v | money('EUR') }}", float("inf")),
        ("{{ v | money('EUR') }}", Decimal("1e40")),
        ("{{ v | money('euros') }}", 5),
        ("{{ v | round(2, 'banker') }}", 1.5),
        ("{{ v | length }}", 5),
        ("{{ 'x' - v }}", 1),
    ],
)
def test_filters_refuse_values_they_cannot_format(body: str, value: Any) -> None:
    with pytest.raises(RenderError) as caught:
        render_one(body, v=value)
    assert caught.value.code == "bad_value"


def test_only_the_listed_filters_tests_and_globals_exist() -> None:
    env = _sandbox.make_environment()
    expected = {"date", "money", "upper", "lower", "default", "join", "length", "round", "trim"}
    assert set(env.filters) == expected | {"replace"}
    assert set(env.globals) == {"snippet"}
    assert set(env.tests) == set(_sandbox.ALLOWED_TESTS)
    assert env.loader is None


@pytest.mark.parametrize(
    "name", ["attr", "format", "map", "safe", "tojson", "d", "count", "pprint"]
)
def test_other_jinja_filters_are_refused_by_the_check(name: str) -> None:
    errors = check_template(f"{{{{ x | {name} }}}}").errors
    assert errors and f"no filter `{name}`" in errors[0]


def test_filter_arguments_are_checked() -> None:
    assert "money(currency)" in check_template("{{ v | money }}").errors[0]
    assert check_template("{{ v | replace('a') }}").errors
    assert check_template("{{ v | join(d=', ') }}").errors
    assert check_template("{{ v | upper(1) }}").errors
    assert check_template("{{ v | money(v.currency) }}").errors == []


# ----- snippets ---------------------------------------------------------------------------


def test_snippets_follow_the_locale_and_see_the_variables(renderer: Renderer) -> None:
    english = renderer.render("order_status", "email", "en", order_variables()).body
    german = renderer.render("order_status", "email", "de", order_variables()).body
    assert english.startswith("Dear Hydro-Kraft GmbH,") and "The Nordwerk order desk" in english
    assert german.startswith("Guten Tag Hydro-Kraft GmbH,") and "Auftragsservice" in german
    assert "Dear" not in german and "Guten Tag" not in english


def test_snippet_errors_name_the_snippet() -> None:
    renderer = one("{{ snippet('greeting') }}", greeting="Dear {{ customer.name }},")
    with pytest.raises(RenderError) as caught:
        renderer.render("t", "chat", "en", {})
    assert caught.value.code == "undefined_variable"
    assert "snippet greeting" in caught.value.message


def build_problems(templates: dict[str, Sources], snippets: dict[str, dict[str, str]]) -> str:
    with pytest.raises(RenderError) as caught:
        Renderer.build(make_ruleset(templates, snippets))
    assert caught.value.code == "invalid_template"
    return caught.value.message


def test_build_refuses_missing_circular_and_too_deep_snippets() -> None:
    uses_a: dict[str, Sources] = {"t": {("chat", "en"): (None, "{{ snippet('a') }}")}}
    message = build_problems(uses_a, {})
    assert "template t (chat/en): uses snippet 'a', which does not exist" in message
    message = build_problems(uses_a, {"a": {"de": "Hallo"}})
    assert "uses snippet 'a', which has no en text" in message
    circle = {"a": {"en": "{{ snippet('b') }}"}, "b": {"en": "{{ snippet('a') }}"}}
    assert "circle (en): a -> b -> a" in build_problems(uses_a, circle)
    chain = {
        "a": {"en": "{{ snippet('b') }}"},
        "b": {"en": "{{ snippet('c') }}"},
        "c": {"en": "{{ snippet('d') }}"},
        "d": {"en": "end"},
    }
    assert "snippet a (en): nests snippets 4 levels deep" in build_problems(uses_a, chain)
    del chain["d"]
    chain["c"] = {"en": "end"}
    assert Renderer.build(make_ruleset(uses_a, chain)).render("t", "chat", "en", {}).body == "end"


def test_build_lists_every_unsafe_or_broken_source_with_its_place() -> None:
    templates: dict[str, Sources] = {
        "good": {("chat", "en"): (None, "fine")},
        "bad": {
            ("email", "en"): ("{{ config }}", "ok\n{{ ''.__class__ }}"),
            ("chat", "de"): (None, "{% if %}"),
        },
    }
    message = build_problems(templates, {"sig": {"en": "{% include 'x' %}"}})
    assert "template bad (email/en) subject: line 1: `config` is not available" in message
    assert "template bad (email/en) body: line 2: `__class__`" in message
    assert "template bad (chat/de) body: line 1: the template does not parse" in message
    assert "snippet sig (en): line 1: {% include %} is not allowed" in message
    assert "template good" not in message


def test_build_refuses_an_unknown_time_zone() -> None:
    ruleset = make_ruleset({"t": {("chat", "en"): (None, "x")}}, time_zone="Mars/Olympus")
    with pytest.raises(RenderError, match="time zone 'Mars/Olympus'"):
        Renderer.build(ruleset)


# ----- check_template ---------------------------------------------------------------------


def test_check_reports_variable_paths_and_snippets() -> None:
    source = """{{ snippet('greeting') }}
{% set total = order.value | money(order.currency) %}
{% for line in order.lines if line.qty > 0 %}
{{ loop.index }}. {{ line.sku }} {{ total }} {{ line.part.name }}
{% endfor %}
{{ customer.name }} {{ entities['order_number'] }} {{ entities[field.name] }}
{{ order.lines[0].sku }} {{ shipment.carrier.name.first }} {{ inquiry }}
{% if order.eta is defined %}{{ snippet("signature") }}{% endif %}"""
    check = check_template(source)
    assert check.errors == []
    assert check.snippets == {"greeting", "signature"}
    assert check.variables == {
        ("order", "value"),
        ("order", "currency"),
        ("order", "lines"),
        ("order", "eta"),
        ("customer", "name"),
        ("entities", "order_number"),
        ("entities",),
        ("field", "name"),
        ("shipment", "carrier"),
        ("inquiry",),
    }


def test_check_scopes_set_and_loop_names() -> None:
    check = check_template("{{ x }}{% set x = 1 %}{{ x }}{% for y in ys %}{% endfor %}{{ y }}")
    assert check.errors == [] and check.variables == {("x",), ("ys",), ("y",)}
    assert "`loop` only exists inside" in check_template("{{ loop.index }}").errors[0]


@pytest.mark.parametrize(
    "source",
    [
        "{{ snippet(name) }}",
        "{{ snippet('a', 'b') }}",
        "{{ snippet(id='a') }}",
        "{{ snippet }}",
        "{% set snippet = 1 %}",
    ],
)
def test_snippet_takes_one_literal_id(source: str) -> None:
    assert check_template(source).errors


INJECTIONS = [
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ self._TemplateReference__context }}",
    "{{ request }}",
    "{{ config }}",
    "{{ lipsum.__globals__ }}",
    "{% for c in [].__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ ''|attr('__class__') }}",
    "{% include '/etc/passwd' %}",
    "{{ '{0.__class__}'.format(1) }}",
]
MORE_REFUSED = [
    "{{ joiner() }}",
    "{{ namespace(a=1) }}",
    "{{ range(999999999) | length }}",
    "{{ dict(a=1) }}",
    "{% import 'x' as x %}",
    "{% from 'x' import y %}",
    "{% extends 'base' %}",
    "{% macro m() %}x{% endmacro %}",
    "{% call m() %}x{% endcall %}",
    "{% block b %}x{% endblock %}",
    "{% filter upper %}x{% endfilter %}",
    "{% with a = 1 %}{{ a }}{% endwith %}",
    "{% set s %}{{ s }}{{ s }}{% endset %}",
    "{% autoescape false %}x{% endautoescape %}",
    "{{ order['__class__'] }}",
    "{{ order._secret }}",
    "{{ _private }}",
    "{{ order.status.upper() }}",
    "{{ 9 ** 9 ** 9 }}",
    "{{ x is callable }}",
    "{% for a in x recursive %}{{ loop(a) }}{% endfor %}",
    "{% for a in x %}{% for b in a %}{% for c in b %}{% endfor %}{% endfor %}{% endfor %}",
    "{{ [" + "1," * 101 + "] }}",
    "{{ x " + " " * 20_000 + "}}",
]


@pytest.mark.parametrize("source", INJECTIONS + MORE_REFUSED)
def test_check_refuses_unsafe_constructs_with_a_line_number(source: str) -> None:
    errors = check_template("Hello,\n" + source).errors
    assert errors
    assert all(e.startswith("line 2: ") or "characters long" in e for e in errors)


@pytest.mark.parametrize("payload", [*INJECTIONS, "{{ 7*7 }}", "{% raw %}{{ x }}{% endraw %}"])
def test_data_is_printed_literally_never_evaluated(payload: str) -> None:
    renderer = one(
        "Status: {{ order.status }}\n{{ snippet('greeting') }}",
        greeting="Dear {{ customer.name }},",
    )
    variables = {"order": {"status": payload}, "customer": {"name": payload}}
    body = renderer.render("t", "chat", "en", variables).body
    assert body == f"Status: {payload}\nDear {payload},"


def test_template_arithmetic_runs_but_the_same_text_in_data_does_not() -> None:
    assert render_one("{{ 7*7 }} {{ note }}", note="{{ 7*7 }}") == "49 {{ 7*7 }}"


@pytest.mark.parametrize("source", INJECTIONS)
def test_sandbox_refuses_payloads_even_without_the_check(source: str) -> None:
    """The environment itself is a second wall: every payload fails instead of printing."""
    env = _sandbox.make_environment()
    with pytest.raises((TemplateError, TypeError)):
        env.from_string(source).render(order={"status": "ok"})


@pytest.mark.parametrize(
    ("source", "variables"),
    [
        ("{{ order[key] }}", {"order": {}, "key": "__class__"}),
        ("{{ order[key] }}", {"order": "text", "key": "__class__"}),
        ("{{ 'a' * 100000 }}", {}),
        ("{{ text * 3 }}", {"text": "x" * 10_000}),
        ("{{ text + text + text }}", {"text": "x" * 10_000}),
        ("{% set s = text ~ text %}{% set s = s ~ s %}{{ s | length }}", {"text": "x" * 8_000}),
        ("{{ text | replace('', text) }}", {"text": "x" * 200}),
        ("{{ (text, text, text) | join }}", {"text": "x" * 10_000}),
        ("{{ '%999999999s' % 1 }}", {}),
        ("{{ n * n * n * n }}", {"n": 10**20}),
    ],
)
def test_sandbox_refuses_internals_and_runaway_values_at_render_time(
    source: str, variables: dict[str, Any]
) -> None:
    assert check_template(source).errors == []
    with pytest.raises(RenderError) as caught:
        render_one(source, **variables)
    assert caught.value.code in {"sandbox_violation", "bad_value"}


def test_output_is_capped() -> None:
    body = "{% for line in lines %}{{ line }}\n{% endfor %}"
    with pytest.raises(RenderError) as caught:
        render_one(body, lines=["x" * 1_000] * (MAX_OUTPUT_CHARS // 1_000 + 1))
    assert caught.value.code == "output_too_large"


@pytest.mark.parametrize("name", ["snippet", "_render_state", "_x"])
def test_reserved_variable_names_are_refused(name: str) -> None:
    with pytest.raises(RenderError) as caught:
        render_one("Hello", **{name: "spoofed"})
    assert caught.value.code == "bad_variables"
