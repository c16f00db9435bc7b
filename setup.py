"""Copies schemas/, ui/ and the demo rules-repo/ into the package when a wheel is built.

A non-editable `pip install .` then carries everything the server needs at run time;
`switchboard.resources` finds the copies, or the source tree in a development checkout.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).parent
SHIPPED = ("schemas", "ui", "rules-repo")


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "switchboard" / "_data"
        for name in SHIPPED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, target / name, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithData})
