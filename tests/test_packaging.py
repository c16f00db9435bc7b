"""The wheel carries everything the server needs: installed NON-editable into a fresh virtual
environment, `switchboard` runs, knows its version and finds the shipped schemas, UI and demo
rules inside the installed package.

The wheel is built from a copy of the source tree without build isolation (the build tools
come from the test extra), and the fresh environment reuses the dependencies installed here
through a path file instead of downloading them: no network, a few seconds.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "var", "build", "dist", "*.egg-info", "__pycache__", ".*_cache",
    ".hypothesis", "results", "node_modules",
)  # fmt: skip


def not_source(folder: str, names: list[str]) -> set[str]:
    """What the copy leaves out: tools' and runs' leftovers, and the test suite itself."""
    skipped = set(_NOT_SOURCE(folder, names))
    return skipped | ({"tests"} if Path(folder) == ROOT else set())


def run(*argv: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SWITCHBOARD_", "PYTHON"))}
    env["PIP_NO_INDEX"] = "1"  # never reach for the network
    done = subprocess.run(
        [str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, f"{argv}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def source_version() -> str:
    text = (ROOT / "server" / "switchboard" / "__init__.py").read_text()
    match = re.search(r'^__version__ = "([^"]+)"$', text, re.MULTILINE)
    assert match, "server/switchboard/__init__.py names no __version__"
    return match.group(1)


@pytest.mark.slow
def test_the_wheel_installs_and_runs_with_its_data(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=not_source)
    pip = [sys.executable, "-m", "pip"]
    run(*pip, "wheel", "--no-deps", "--no-build-isolation", "-q", ".", "-w", tmp_path / "dist",
        cwd=source)  # fmt: skip
    [wheel] = (tmp_path / "dist").glob("switchboard-*.whl")
    assert wheel.name.startswith(f"switchboard-{source_version()}-")

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    target = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
    site = Path(target.stdout.strip())
    # The dependencies installed here, after the new environment's own packages.
    (site / "reuse-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run(*pip, "--python", python, "install", "--no-deps", "--no-index", "-q", wheel)

    where = run(python, "-c", "import switchboard; print(switchboard.__file__)").stdout.strip()
    package = Path(where).parent
    assert package == site / "switchboard", "the installed copy, not the source tree"

    shown = run(venv / "bin" / "switchboard", "--version").stdout.strip()
    assert shown == f"switchboard {source_version()}"

    lookup = (
        "from switchboard.resources import resource_dir\n"
        "for name in ('schemas', 'ui', 'rules-repo'):\n"
        "    print(resource_dir(name))\n"
    )
    found = [Path(line) for line in run(python, "-c", lookup).stdout.split()]
    assert found == [package / "_data" / name for name in ("schemas", "ui", "rules-repo")]
    for name, directory in zip(("schemas", "ui", "rules-repo"), found, strict=True):
        shipped = sorted(p.relative_to(directory) for p in directory.rglob("*") if p.is_file())
        expected = sorted(
            p.relative_to(ROOT / name) for p in (ROOT / name).rglob("*") if p.is_file()
        )
        assert shipped == expected, name

    validated = run(venv / "bin" / "switchboard", "validate", found[2])  # exit status 0
    assert re.search(r": valid, \d+ inquiry types", validated.stdout), validated.stdout
