"""Every module of `oms` and `adapters` imports on its own, first, in a fresh interpreter.

An import circle between packages can hide behind import order: `oms.config` importing every package's settings
model, which raise `ConfigError` from `oms.config`, worked when the CLI was imported first and failed when a script
imported `oms.execution.engine` first. One child process imports each module with none of ours loaded before it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import importlib, pkgutil, sys
import oms, adapters
from sqlmodel import SQLModel
from sqlmodel.main import default_registry
names = sorted(
    m.name for package in (oms, adapters)
    for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
    if ".migrations" not in m.name and "__main__" not in m.name
)
failed = []
for name in names:
    for loaded in [n for n in sys.modules if n.split(".")[0] in ("oms", "adapters")]:
        del sys.modules[loaded]
    SQLModel.metadata.clear()  # the ledger's tables are defined again by the fresh import
    default_registry.dispose()
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
print(len(names))
print("\\n".join(failed))
"""


def test_every_module_imports_first_on_its_own() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=ROOT, capture_output=True, text=True, check=True, timeout=300
    )
    count, *failed = done.stdout.strip().splitlines()
    assert int(count) > 100  # the walk found the packages
    assert [line for line in failed if line] == []
