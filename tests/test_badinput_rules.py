"""Damaged rules files never crash the loader, and every problem says where it is.

Hypothesis takes the demo repository and damages a few of its files the way hands and tools
do: lines dropped, doubled or swapped, indentation shifted, text cut off, YAML punctuation,
tags, anchors and tabs dropped in, values replaced by other types, bytes that are not UTF-8.
The loader (parse, schemas, references, compile; no engine) must answer with a ruleset or
with problems, each naming a file of the repository and a line of at least 1. Bombs: deep
nesting and aliases are covered in tests/test_rules_yaml.py; long lines, huge scalars and
many keys are here.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from switchboard.rules.loader import load_source
from switchboard.rules.problems import Problem
from switchboard.rules.source import source_from_files

DEMO = Path(__file__).resolve().parents[1] / "rules-repo"
FILES: dict[str, bytes] = {str(p.relative_to(DEMO)): p.read_bytes() for p in DEMO.rglob("*.yaml")}
PATHS = sorted(FILES)
SNIPPETS = [
    ": ", "- ", "{", "}", "[", "]", "&a ", "*a", "!!python/object:os.system ", "!tag ", "\t",
    "'", '"', "#", "|", ">-", "---\n", "...\n", "~", "null", "0x1F", "1e309", "-.inf",
    "2026-02-30", "\u202e", "\u200d", "\x00", "\ufeff", "é", "{{ 7*7 }}", "%", "@", "`",
    "? ", "<<: ", "\r", "\x85", "\u2028",
]  # fmt: skip
VALUES = ["[]", "{}", "~", "yes", "12", "-1", "1.5", "''", "[a, b]", "{x: 1}", "!!binary AA=="]
tried = {"inputs": 0, "refused": 0, "loaded": 0}


def damage(text: bytes, draw: st.DrawFn) -> bytes:
    lines = text.decode("utf-8", "replace").split("\n")
    kind = draw(st.sampled_from(["drop", "double", "swap", "indent", "cut", "insert", "value"]))
    at = draw(st.integers(0, max(0, len(lines) - 1)))
    if kind == "drop" and lines:
        del lines[at]
    elif kind == "double" and lines:
        lines.insert(at, lines[at])
    elif kind == "swap" and len(lines) > 1:
        other = draw(st.integers(0, len(lines) - 1))
        lines[at], lines[other] = lines[other], lines[at]
    elif kind == "indent" and lines:
        lines[at] = draw(st.sampled_from(["", " ", "   ", "\t"])) + lines[at].lstrip(" ")
    elif kind == "cut":
        lines = lines[:at]
    elif kind == "insert" and lines:
        line = lines[at]
        pos = draw(st.integers(0, len(line)))
        lines[at] = line[:pos] + draw(st.sampled_from(SNIPPETS)) + line[pos:]
    elif kind == "value" and lines and ":" in lines[at]:
        key = lines[at].split(":", 1)[0]
        lines[at] = f"{key}: {draw(st.sampled_from(VALUES))}"
    out = "\n".join(lines).encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 19)) == 0:  # now and then bytes that are not text at all
        pos = draw(st.integers(0, len(out)))
        out = out[:pos] + b"\xff\xfe\xc3" + out[pos:]
    return out


@st.composite
def damaged_files(draw: st.DrawFn) -> dict[str, bytes | None]:
    """A few damaged files (None: the file is gone), to lay over the demo repository."""
    changes: dict[str, bytes | None] = {}
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(PATHS))
        for _ in range(draw(st.integers(1, 3))):
            changes[path] = damage(changes.get(path) or FILES[path], draw)
    if draw(st.integers(0, 9)) == 0:
        changes[draw(st.sampled_from(PATHS))] = None
    return changes


def laid_over(changes: dict[str, bytes | None]) -> dict[str, bytes]:
    merged = {**FILES, **changes}
    return {path: data for path, data in merged.items() if data is not None}


def check(files: dict[str, bytes]) -> list[Problem]:
    result = load_source(source_from_files(files), build_engine=False)
    for problem in result.problems:
        known = {*files, *FILES, *(path.rsplit("/", 1)[0] + "/" for path in FILES), "."}
        assert problem.file in known, problem  # a file, a missing one, a folder or the root
        assert problem.line >= 1 and problem.column >= 1, problem
        assert problem.code and problem.message, problem
    if result.ruleset is None:
        assert any(p.severity == "error" for p in result.problems)
    return list(result.problems)


def test_the_demo_repository_itself_loads() -> None:
    assert [p for p in check(FILES) if p.severity == "error"] == []


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(changes=damaged_files())
def test_damaged_files_give_located_problems_never_a_crash(
    changes: dict[str, bytes | None],
) -> None:
    problems = check(laid_over(changes))
    tried["inputs"] += 1
    tried["refused" if any(p.severity == "error" for p in problems) else "loaded"] += 1


def test_damage_was_mostly_noticed() -> None:
    """The mutations are not all harmless: most damaged repositories are refused."""
    if tried["inputs"]:  # only when the property test ran in this process
        assert tried["refused"] > tried["inputs"] // 2, tried


def test_long_lines_huge_scalars_and_many_keys_are_refused_or_read(tmp_path: Path) -> None:
    snippet = FILES["snippets/signature.yaml"].decode()
    cases = {
        "long line": snippet.replace("id: signature", "id: signature" + " " * 200_000 + "#"),
        "huge scalar": snippet.replace("description: ", "description: " + "x" * 250_000),
        "many keys": snippet + "".join(f"k{i}: {i}\n" for i in range(20_000)),
        "over the size limit": snippet + "# " + "y" * 300_000 + "\n",
    }
    outcomes = {}
    for name, text in cases.items():
        files = {**FILES, "snippets/signature.yaml": text.encode()}
        errors = [p for p in check(files) if p.severity == "error"]
        assert {p.file for p in errors} <= {"snippets/signature.yaml"}, (name, errors[:3])
        outcomes[name] = sorted({p.code for p in errors})
    assert outcomes["over the size limit"] == ["file_too_large"]
    assert outcomes["many keys"] and outcomes["long line"] == []
