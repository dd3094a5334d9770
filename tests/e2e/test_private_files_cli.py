"""Every folder the OMS makes is 700 and every file 600, from the first byte, over whole paper and manual runs."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tests.e2e.oms_cli import EXAMPLE, POSITIONS, Oms


def loose_modes(root: Path) -> list[str]:
    """Every path under root that a group or other user could read, write or enter."""
    loose = []
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(folder) / name
            mode = stat.S_IMODE(path.lstat().st_mode)
            if mode & 0o077:
                loose.append(f"{path.relative_to(root)} {mode:o}")
    return loose


def test_a_whole_paper_and_manual_run_writes_only_private_files(tmp_path: Path) -> None:
    """Data dir, oms.db, sim-venue.db, manual-book.db, the log (under OMS_DATA_DIR) and ticket files are private."""
    home = tmp_path / "home"
    # The user's config directory outside `home`: matplotlib makes $XDG_CONFIG_HOME/matplotlib there with the
    # usual modes, and `home` is checked as the parent the OMS itself created for its data directory.
    outside = {"OMS_LOGGING__FILE": "", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    oms = Oms(home, env=outside)
    os.umask(0o022)  # the usual umask: the OMS must not depend on the user's
    paper = oms("run", EXAMPLE)
    assert paper.returncode == 0, paper.stderr
    manual = Oms(home, env={**outside, "OMS_SIM__PATH": ""})
    started = manual("run", EXAMPLE, "--mode", "manual", "--positions", POSITIONS, "--new")
    assert started.returncode in (0, 5), started.stderr
    assert manual("tickets").returncode == 0
    written = {p.relative_to(home).as_posix() for p in home.rglob("*")}
    for expected in ("data", "data/oms.db", "data/sim-venue.db", "data/manual-book.db", "data/log/oms.jsonl"):
        assert expected in written, sorted(written)
    assert any(name.startswith("data/tickets/") for name in written), sorted(written)
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert loose_modes(home) == []
