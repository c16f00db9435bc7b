"""What `switchboard demo` needs for the admin UI: two users and rules it can change.

The users are an editor and a reviewer, so a change can go the whole way (edit, submit,
approve, merge) with four eyes. Their passwords are made up on first run and kept in the data
directory (readable by its owner only), so every run can print them again. The rules are a
bare git copy of the shipped demo rules: changes are commits and merges there, never in the
installed files.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from switchboard.users.model import UserError
from switchboard.users.passwords import new_password
from switchboard.users.store import add_user, read_users

DEMO_USERS = (
    ("erika", "Erika Neumann", "erika.neumann@nordwerk.example", "editor"),
    ("rolf", "Rolf Brandt", "rolf.brandt@nordwerk.example", "reviewer"),
)
PASSWORDS_FILE = "demo-passwords"
REPO_DIR = "demo-rules.git"


def ensure_demo_users(users_file: Path, data_dir: Path) -> list[tuple[str, str, str]]:
    """(login, password, role) of each demo user, creating any that is missing."""
    saved = _read_saved(data_dir / PASSWORDS_FILE)
    existing = {u.login for u in read_users(users_file)}
    shown = []
    for login, name, email, role in DEMO_USERS:
        password = saved.get(login)
        if login not in existing:
            password = new_password()
            try:
                add_user(users_file, login, email, [role], password, name)
            except UserError:  # the address is taken by a user made by hand: leave it be
                continue
            saved[login] = password
        shown.append((login, password or "(set by hand)", role))
    _write_saved(data_dir / PASSWORDS_FILE, saved)
    return shown


def ensure_demo_repo(data_dir: Path, source: Path) -> Path:
    """A bare git repository with the demo rules on `main`, made from `source` on first use."""
    repo = data_dir / REPO_DIR
    if (repo / "HEAD").is_file():
        return repo
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Switchboard demo",
        "GIT_AUTHOR_EMAIL": "demo@nordwerk.example",
        "GIT_COMMITTER_NAME": "Switchboard demo",
        "GIT_COMMITTER_EMAIL": "demo@nordwerk.example",
    }
    with tempfile.TemporaryDirectory(prefix="sb-demo-rules-") as folder:
        work = Path(folder) / "rules"
        shutil.copytree(source, work)
        for args in (
            ["init", "-q", "-b", "main"],
            ["add", "-A"],
            ["commit", "-q", "-m", "Demo rules"],
            # Absolute: git runs in the temporary work tree, and the data directory is often
            # given relative to the current one (`var`, the default).
            ["clone", "-q", "--bare", str(work), str(repo.absolute())],
        ):
            subprocess.run(["git", "-C", str(work), *args], check=True, env=env, timeout=60)
    return repo


def _read_saved(path: Path) -> dict[str, str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return {}
    return dict(line.split("\t", 1) for line in lines if "\t" in line)


def _write_saved(path: Path, saved: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.writelines(f"{login}\t{password}\n" for login, password in sorted(saved.items()))
