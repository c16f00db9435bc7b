"""Settings: read from SWITCHBOARD_* variables, every one described, bad ones stop startup."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.commands import serve
from switchboard.settings import Settings, SettingsError, describe, env_name


def test_reads_prefixed_variables_and_overrides_win() -> None:
    env = {
        "SWITCHBOARD_RULES_PATH": "/srv/rules",
        "SWITCHBOARD_RULES_REV": "release-7",
        "SWITCHBOARD_PORT": "9123",
        "SWITCHBOARD_LOG_LEVEL": "WARNING",
        "SWITCHBOARD_MAX_BODY_BYTES": "2048",
        "PORT": "1",  # unprefixed variables are not ours
    }
    settings = Settings.from_env(env, port=9999)
    assert settings.rules_path == Path("/srv/rules")
    assert settings.rules_rev == "release-7"
    assert settings.port == 9999
    assert settings.log_level == "warning"
    assert settings.max_body_bytes == 2048
    assert Settings.from_env(env).port == 9123


def test_defaults_and_derived_paths() -> None:
    settings = Settings.from_env({"SWITCHBOARD_DATA_DIR": "/data/sb"})
    assert settings.max_body_bytes == 64 * 1024
    assert settings.keys_path == Path("/data/sb/api-keys.json")
    assert settings.cache_path == Path("/data/sb/cache")
    moved = Settings.from_env({"SWITCHBOARD_API_KEYS_FILE": "/etc/sb/keys.json"})
    assert moved.keys_path == Path("/etc/sb/keys.json")


def test_bad_values_name_every_bad_variable() -> None:
    env = {"SWITCHBOARD_PORT": "http", "SWITCHBOARD_MAX_BODY_BYTES": "10", "SWITCHBOARD_HOST": "h"}
    with pytest.raises(SettingsError) as caught:
        Settings.from_env(env)
    message = str(caught.value)
    assert "SWITCHBOARD_PORT" in message
    assert "SWITCHBOARD_MAX_BODY_BYTES" in message
    assert "SWITCHBOARD_HOST" not in message


def test_round_trip_through_environment() -> None:
    settings = Settings(rules_path=Path("/r"), rules_rev="main", port=8123, log_level="debug")
    assert Settings.from_env(settings.to_env()) == settings


def test_every_setting_is_described() -> None:
    rows = describe()
    assert [name for name, _, _ in rows] == [env_name(f) for f in Settings.model_fields]
    for name, _, text in rows:
        assert name.startswith("SWITCHBOARD_")
        assert len(text) > 15, f"{name} needs a description"


def test_serve_refuses_bad_settings_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SWITCHBOARD_LOG_LEVEL", "chatty")
    assert serve.main(["--rules", "rules-repo"]) == 2
    assert "SWITCHBOARD_LOG_LEVEL" in capsys.readouterr().err


def test_serve_needs_a_rules_repository(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SWITCHBOARD_RULES_PATH", raising=False)
    assert serve.main(["--data-dir", str(tmp_path)]) == 2
    assert "SWITCHBOARD_RULES_PATH" in capsys.readouterr().err


def test_serve_refuses_a_malformed_keys_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "api-keys.json").write_text('{"keys": [{"name": "gw"}]}')
    monkeypatch.delenv("SWITCHBOARD_API_KEYS_FILE", raising=False)
    assert serve.main(["--rules", str(tmp_path), "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "api-keys.json" in err and "scopes" in err
