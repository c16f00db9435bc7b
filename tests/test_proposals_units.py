"""The small pieces of the proposal workflow, table-driven: names, paths, people, keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from switchboard.commands import keys as keys_command
from switchboard.proposals.edits import check_path
from switchboard.proposals.errors import InvalidEdit
from switchboard.proposals.gitcmd import redact
from switchboard.proposals.history import parse_person, strip_trailers
from switchboard.proposals.model import Person
from switchboard.proposals.naming import branch_name, looks_like_id, new_id, slug
from switchboard.web.apikeys import KeyFileError, KeyStore, create_key, read_keys


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Raise claim threshold to 5 000 €", "raise-claim-threshold-to-5-000"),
        ("Rückerstattung für Großkunden", "ruckerstattung-fur-grokunden"),
        ("   ", "change"),
        ("!!!", "change"),
        ("a" * 60, "a" * 40),
        ("Words " * 10, "words-words-words-words-words-words-word"),
    ],
)
def test_slugs(title: str, expected: str) -> None:
    assert slug(title) == expected


def test_ids_are_short_and_unambiguous() -> None:
    ids = {new_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(looks_like_id(i) and not set(i) & set("01lo") for i in ids)
    assert branch_name("ab23cd", "Fix it") == "proposals/ab23cd-fix-it"


@pytest.mark.parametrize(
    "path",
    ["switchboard.yaml", "taxonomy/complaint.yaml", "tests/sub/suite.yml", "queues/night-2.yaml"],
)
def test_rules_paths_are_accepted(path: str) -> None:
    check_path(path)


@pytest.mark.parametrize(
    "path",
    [
        "",
        "README.md",
        "/etc/passwd",
        "taxonomy/../switchboard.yaml",
        "taxonomy//x.yaml",
        "taxonomy/.x.yaml",
        ".git/config",
        "taxonomy/x.json",
        "taxonomy\\x.yaml",
        "taxonomy/x\n.yaml",
        "elsewhere/x.yaml",
        "queues/a b.yaml",
        "queues/*.yaml",
        "queues/" + "x" * 200 + ".yaml",
    ],
)
def test_other_paths_are_refused(path: str) -> None:
    with pytest.raises(InvalidEdit):
        check_path(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Elena Roth <elena@nordwerk.example>", Person("Elena Roth", "elena@nordwerk.example")),
        ("  Jo <jo@x.example> ", Person("Jo", "jo@x.example")),
        ("no address", None),
        ("<>", None),
    ],
)
def test_people_in_trailers(text: str, expected: Person | None) -> None:
    assert parse_person(text) == expected


def test_trailers_are_cut_from_messages() -> None:
    message = "Merge proposal x: T\n\nWhy.\n\nProposal: x\nApproved-by: A <a@b.example>\n"
    assert strip_trailers(message) == "Merge proposal x: T\n\nWhy."
    assert strip_trailers("Just a subject\n") == "Just a subject"


@pytest.mark.parametrize(
    ("name", "email"),
    [("", "a@b.example"), ("A <b>", "a@b.example"), ("A\nB", "a@b.example"), ("A", "nope")],
)
def test_people_must_be_fit_to_author_commits(name: str, email: str) -> None:
    with pytest.raises(ValueError):
        Person.checked(name, email)


def test_credentials_are_redacted() -> None:
    assert (
        redact("fatal: https://u:tok@git.example/r.git") == "fatal: https://***@git.example/r.git"
    )
    assert redact("ssh://git@host/r.git") == "ssh://***@host/r.git"
    assert redact("/srv/forge.git") == "/srv/forge.git"


def test_keys_carry_a_user_and_roles(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    key = create_key(
        path, "elena", ["proposals:write"], ("Elena Roth", "elena@nordwerk.example"), ["reviewer"]
    )
    plain = create_key(path, "gateway", ["inquiries:write"])
    store = KeyStore(path)
    elena, gateway = store.check(key), store.check(plain)
    assert elena is not None and gateway is not None
    assert elena.user == ("Elena Roth", "elena@nordwerk.example")
    assert elena.roles == {"reviewer"}
    assert elena.allows("proposals:read") and not elena.allows("inquiries:write")
    assert gateway.user is None and gateway.roles == frozenset()
    entries = json.loads(path.read_text())["keys"]
    assert "user" not in entries[1] and "roles" not in entries[1]


@pytest.mark.parametrize(
    ("extra", "complaint"),
    [
        ({"user": "Elena"}, "user must be"),
        ({"user": {"name": "Elena"}}, "user must be"),
        ({"user": {"name": "E <x>", "email": "e@x.example"}}, "name"),
        ({"roles": ["owner"]}, "roles"),
        ({"roles": "reviewer"}, "roles"),
    ],
)
def test_malformed_users_and_roles_are_refused(
    tmp_path: Path, extra: dict[str, object], complaint: str
) -> None:
    entry = {"name": "k", "scopes": ["proposals:read"], "sha256": "a" * 64, **extra}
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"keys": [entry]}))
    with pytest.raises(KeyFileError, match=complaint):
        read_keys(path)


def test_keys_command_sets_user_and_roles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "keys.json"
    argv = ["--file", str(path), "create", "anna", "--scopes", "proposals:write"]
    user = ["--user", "Anna Berger <anna@nordwerk.example>", "--roles", "editor", "viewer"]
    assert keys_command.main([*argv, *user]) == 0
    [entry] = read_keys(path)
    assert entry.user == ("Anna Berger", "anna@nordwerk.example")
    assert entry.roles == {"editor", "viewer"}
    capsys.readouterr()
    assert keys_command.main(["--file", str(path), "create", "bad", "--user", "Anna"]) == 2
    assert "Name <e-mail>" in capsys.readouterr().err
