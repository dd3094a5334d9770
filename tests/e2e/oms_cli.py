"""Run the real `oms` command in a subprocess on a private data directory, with a fast simulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oms.cli.views import status_document
from oms.store import Ledger

ROOT = Path(__file__).resolve().parents[2]
OMS = Path(sys.executable).parent / "oms"
EXAMPLE = ROOT / "config/examples/rebalance.csv"
POSITIONS = ROOT / "config/examples/positions.csv"

FAST = {
    "OMS_SIM__SPEED": "6000",  # a simulated session in under 4 seconds, orders fill well before the close
    "OMS_EXECUTION__POLL_SECONDS": "0.05",
    "OMS_EXECUTION__IDLE_POLL_SECONDS": "0.1",
    "OMS_EXECUTION__HEARTBEAT_SECONDS": "0.5",
}


@dataclass
class Oms:
    """The `oms` command bound to one data directory and environment."""

    home: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def data(self) -> Path:
        return self.home / "data"

    def environment(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("OMS_")}
        return {
            **inherited,
            "COLUMNS": "200",
            "NO_COLOR": "1",
            "OMS_DATA_DIR": str(self.data),
            "OMS_LOGGING__FILE": str(self.home / "oms.jsonl"),
            "XDG_CONFIG_HOME": str(self.home / "config"),  # never the developer's own config file
            **FAST,
            **self.env,
            **(extra or {}),
        }

    def __call__(
        self, *args: str | Path, env: dict[str, str] | None = None, timeout: float = 90
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(OMS), *map(str, args)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=self.environment(env),
            stdin=subprocess.DEVNULL,  # never wait for a person at a prompt
            timeout=timeout,
            check=False,
        )

    def start(self, *args: str | Path) -> subprocess.Popen[str]:
        """Start a long-running command (the daemon); the caller stops it."""
        return subprocess.Popen(
            [str(OMS), *map(str, args)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=self.environment(),
        )

    def status(self, batch: str | None = None, *, cli: bool = False) -> dict[str, Any]:
        """The `oms status --json` document: from the command with `cli`, else read from the ledger in this process
        by the same function the command uses (one process start less; the tests stay fast)."""
        if cli:
            result = self("status", *([batch] if batch else []), "--json")
            assert result.returncode == 0, result.stderr
            document: dict[str, Any] = json.loads(result.stdout)
            return document
        ledger_file = self.data / "oms.db"
        if not ledger_file.exists():
            return {"batches": []}
        ledger = Ledger.open(f"sqlite:///{ledger_file}")
        try:
            return json.loads(json.dumps(status_document(ledger, batch)))
        finally:
            ledger.close()

    def batches(self) -> list[dict[str, Any]]:
        return list(self.status()["batches"])


def trades(path: Path, *rows: str) -> Path:
    """Write a small trade list (symbol,action,shares rows) and return its path."""
    path.write_text("symbol,action,shares\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path
