"""Safe YAML reading: plain data, a line and column for every field, and refusals."""

from __future__ import annotations

import pytest

from switchboard.rules.yamlread import parse_yaml

READS = [
    ("a: 1\nb: [x, 2.5]\n", {"a": 1, "b": ["x", 2.5]}),
    # YAML 1.2 core scalars: these stay text instead of becoming booleans or numbers
    ("a: no\nb: on\nc: 07:30\nd: 2026-09-15\ne: '1'\n", {
        "a": "no", "b": "on", "c": "07:30", "d": "2026-09-15", "e": "1"}),
    ("a: true\nb: False\nc: ~\nd: null\ne:\n", {"a": True, "b": False, "c": None, "d": None,
                                              "e": None}),
    ("a: 0x1F\nb: 0o17\nc: -3\nd: 1e3\ne: .5\n", {"a": 31, "b": 15, "c": -3, "d": 1000.0,
                                                "e": 0.5}),
    ("a: !!str 5\nb: |\n  two\n  lines\n", {"a": "5", "b": "two\nlines\n"}),
    ("\ufeffa: 1\n", {"a": 1}),
]  # fmt: skip

REFUSALS = [
    ("a: 1\nb: 2\na: 3\n", 3, "duplicate_key"),
    ("a: &x [1, 2]\nb: *x\n", 1, "yaml_alias"),
    ("a: &x 1\n", 1, "yaml_alias"),
    ("a: *nothing\n", 1, "yaml_alias"),
    ("a:\n  <<: *base\n", 2, "yaml_alias"),
    ("a: !!python/object/apply:os.system [ls]\n", 1, "yaml_tag"),
    ("a: !custom x\n", 1, "yaml_tag"),
    ("a: [1, 2\nb: 3\n", 2, "yaml_syntax"),
    ("a: 1\n---\nb: 2\n", 2, "yaml_multiple_documents"),
    ("? [a, b]\n: 1\n", 1, "yaml_complex_key"),
    ("a: " + "[" * 60 + "]" * 60 + "\n", 1, "too_deep"),
]


@pytest.mark.parametrize(("text", "expected"), READS)
def test_reads_plain_data(text: str, expected: object) -> None:
    parsed, problems = parse_yaml("f.yaml", text.encode())
    assert problems == []
    assert parsed is not None and parsed.data == expected


@pytest.mark.parametrize(("text", "line", "code"), REFUSALS)
def test_refuses(text: str, line: int, code: str) -> None:
    parsed, problems = parse_yaml("f.yaml", text.encode())
    assert parsed is None
    assert [(p.file, p.line, p.code) for p in problems] == [("f.yaml", line, code)]


def test_alias_bomb_is_refused_before_it_grows() -> None:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)
    ]
    parsed, problems = parse_yaml("bomb.yaml", "\n".join(lines).encode())
    assert parsed is None and [p.code for p in problems] == ["yaml_alias"]


def test_every_field_has_a_line_and_column() -> None:
    text = "id: x\nrules:\n  - id: r\n    when: {fact: text, op: matches, value: 'a'}\n"
    parsed, _ = parse_yaml("f.yaml", text.encode())
    assert parsed is not None
    assert parsed.at("/id") == (1, 1)
    assert parsed.at("/rules/0") == (3, 5)
    assert parsed.at("/rules/0/when") == (4, 5)
    column = text.splitlines()[3].index("value") + 1
    assert parsed.at("/rules/0/when/value") == (4, column)


def test_keys_with_slashes_are_escaped_in_pointers() -> None:
    parsed, _ = parse_yaml("f.yaml", b"a/b:\n  c~d: 1\n")
    assert parsed is not None
    assert parsed.at("/a~1b/c~0d") == (2, 3)
    assert parsed.at("/a~1b/missing/deeper") == (1, 1)  # nearest existing field


def test_text_that_is_not_utf8_is_refused_with_its_line() -> None:
    parsed, problems = parse_yaml("f.yaml", "a: 1\nb: Gr\u00fc\u00dfe\n".encode("latin-1"))
    assert parsed is None
    assert [(p.line, p.code) for p in problems] == [(2, "not_utf8")]
