"""Which file of a rules repository holds which kind of thing, decided by its folder."""

from __future__ import annotations

SETTINGS_FILE = "switchboard.yaml"
FOLDERS: dict[str, str] = {
    "taxonomy": "intent",
    "escalation": "escalation",
    "queues": "queue",
    "templates": "template",
    "snippets": "snippet",
    "entities": "entity",
    "connectors": "connector",
    "tests": "test",
}
KINDS: tuple[str, ...] = ("settings", *FOLDERS.values())
YAML_SUFFIXES = (".yaml", ".yml")


def kind_of(path: str) -> str | None:
    """The kind of a repository-relative path, or None when the path is not a rules file."""
    if path == SETTINGS_FILE:
        return "settings"
    folder, slash, rest = path.partition("/")
    if slash and rest and folder in FOLDERS and path.endswith(YAML_SUFFIXES):
        return FOLDERS[folder]
    return None


def is_stray_yaml(path: str) -> bool:
    """A YAML file outside every known folder (worth a warning: it is ignored)."""
    if kind_of(path) is not None or not path.endswith(YAML_SUFFIXES):
        return False
    return not any(part.startswith(".") for part in path.split("/"))
