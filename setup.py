"""Packaging hook: the wheel carries the project's `config/` folder (defaults, sample security master, examples).

`config/` stays where people and the docs look for it; at build time it is copied into the package as
`oms/_project/config/`, which `oms.config.CONFIG_DIR` finds when the OMS runs from an installed wheel.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithDefaults(build_py):
    """Copy config/ into the built package beside the code."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads config/ from the checkout itself
        target = Path(self.build_lib) / "oms" / "_project" / "config"
        shutil.copytree(Path(__file__).parent / "config", target, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildWithDefaults})
