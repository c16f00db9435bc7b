"""API keys: only hashes on disk, scopes enforced, the file re-read when it changes."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from switchboard.commands import keys as keys_command
from switchboard.web.apikeys import (
    KeyFileError,
    KeyStore,
    create_key,
    hash_key,
    read_keys,
    revoke_key,
)


def test_created_key_is_stored_only_as_its_hash(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    key = create_key(path, "email-gateway", ["inquiries:write"])
    text = path.read_text()
    assert key not in text
    assert hash_key(key) in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    [entry] = read_keys(path)
    assert entry.name == "email-gateway"
    assert entry.scopes == {"inquiries:write"}


def test_store_checks_keys_and_scopes(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    writer = create_key(path, "gw", ["inquiries:write"])
    admin = create_key(path, "ops", ["admin"])
    reader = create_key(path, "ui", ["conversations:read"])
    store = KeyStore(path)
    assert store.check("sb_" + "x" * 43) is None
    assert store.check(writer[:-1]) is None
    gw = store.check(writer)
    assert gw is not None and gw.name == "gw"
    assert gw.allows("inquiries:write") and gw.allows("inquiries:dry_run")
    assert not gw.allows("admin") and not gw.allows("conversations:read")
    ops = store.check(admin)
    assert ops is not None and ops.allows("conversations:read")
    ui = store.check(reader)
    assert ui is not None and not ui.allows("inquiries:dry_run") and ui.allows(None)


def test_store_follows_the_file(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    store = KeyStore(path, recheck_s=0)
    assert len(store) == 0
    key = create_key(path, "gw", ["inquiries:write"])
    assert store.check(key) is not None
    assert revoke_key(path, "gw")
    assert store.check(key) is None
    assert not revoke_key(path, "gw")


def test_store_keeps_old_keys_when_the_file_turns_bad(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    key = create_key(path, "gw", ["inquiries:write"])
    store = KeyStore(path, recheck_s=0)
    path.write_text("{not json")
    assert store.check(key) is not None
    with pytest.raises(KeyFileError, match=r"keys\.json"):
        KeyStore(path)


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        ("[]", '"keys" list'),
        ('{"keys": [{"scopes": ["admin"], "sha256": "' + "a" * 64 + '"}]}', "needs a name"),
        ('{"keys": [{"name": "x", "scopes": ["root"], "sha256": "' + "a" * 64 + '"}]}', "scopes"),
        ('{"keys": [{"name": "x", "scopes": ["admin"], "sha256": "abc"}]}', "64 hex"),
    ],
)
def test_malformed_files_are_refused_with_the_reason(
    tmp_path: Path, content: str, complaint: str
) -> None:
    path = tmp_path / "keys.json"
    path.write_text(content)
    with pytest.raises(KeyFileError, match=complaint):
        read_keys(path)


def test_create_refuses_duplicates_and_unknown_scopes(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    create_key(path, "gw", ["inquiries:write"])
    with pytest.raises(KeyFileError, match="already exists"):
        create_key(path, "gw", ["admin"])
    with pytest.raises(KeyFileError, match="scopes"):
        create_key(path, "other", ["everything"])
    assert [k.name for k in read_keys(path)] == ["gw"]


def test_keys_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "keys.json"
    argv = ["--file", str(path)]
    assert keys_command.main([*argv, "create", "sms", "--scopes", "inquiries:dry_run"]) == 0
    key = capsys.readouterr().out.strip()
    assert key.startswith("sb_") and len(key) > 40
    assert KeyStore(path).check(key) is not None
    assert keys_command.main([*argv, "create", "sms"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert keys_command.main([*argv, "list"]) == 0
    assert capsys.readouterr().out.split("\t")[:2] == ["sms", "inquiries:dry_run"]
    assert keys_command.main([*argv, "revoke", "sms"]) == 0
    assert keys_command.main([*argv, "revoke", "sms"]) == 1
    assert json.loads(path.read_text()) == {"keys": []}
