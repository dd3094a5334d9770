"""Settings stay with the batch: later commands use what it was planned with; a user config file is found unasked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.oms_cli import EXAMPLE, POSITIONS, Oms

# A wide fill collar and the market-hours check off: a fill 40% off the reference books only under these settings.
MINE = '[manual]\nfill_collar_pct = 0.5\n\n[risk]\nmarket_hours = "off"\n'


@pytest.fixture(params=["sqlite", "postgres"])
def ledger_env(request: pytest.FixtureRequest) -> dict[str, str]:
    if request.param == "postgres":
        return {"OMS_DATABASE_URL": str(request.getfixturevalue("postgres_schema_url"))}
    return {}


def soxl(oms: Oms) -> dict[str, Any]:
    (batch,) = oms.status(cli=True)["batches"]
    return next(o for o in batch["orders"] if o["symbol"] == "SOXL")


def test_a_batch_made_with_config_is_worked_with_it_by_later_commands(
    tmp_path: Path, ledger_env: dict[str, str]
) -> None:
    """`oms run --config mine.toml` records its settings; `oms fill` without --config uses them, --config overrides."""
    oms = Oms(tmp_path, ledger_env)
    mine = tmp_path / "mine.toml"
    mine.write_text(MINE, encoding="utf-8")
    assert oms("run", EXAMPLE, "--mode", "manual", "--positions", POSITIONS, "--config", mine).returncode == 0
    order = soxl(oms)["client_order_id"]
    plain = tmp_path / "plain.toml"
    plain.write_text("[manual]\nfill_collar_pct = 0.1\n", encoding="utf-8")
    told = oms("fill", order, "--qty", "400", "--price", "40", "--config", plain)
    assert told.returncode == 2  # told otherwise: the 10% collar refuses it
    assert "outside the 10% collar" in told.stderr
    later = oms("fill", order, "--qty", "400", "--price", "40")
    assert later.returncode == 0, later.stderr
    assert soxl(oms)["filled_quantity"] == "400"


@pytest.mark.parametrize("where", ["xdg", "oms_config"])
def test_the_user_config_file_is_found_without_a_flag(tmp_path: Path, where: str) -> None:
    """$XDG_CONFIG_HOME/oms/config.toml, or OMS_CONFIG=FILE, is read without --config; `oms paths` names it."""
    oms = Oms(tmp_path)
    if where == "xdg":
        own = tmp_path / "config" / "oms" / "config.toml"
        own.parent.mkdir(parents=True)
    else:
        own = tmp_path / "elsewhere.toml"
        oms.env["OMS_CONFIG"] = str(own)
    own.write_text(MINE, encoding="utf-8")
    assert f"config file: {own}" in oms("paths").stdout
    assert oms("run", EXAMPLE, "--mode", "manual", "--positions", POSITIONS).returncode == 0
    oms.env.pop("OMS_CONFIG", None)
    own.unlink()  # the batch keeps what it was planned with
    later = oms("fill", soxl(oms)["client_order_id"], "--qty", "400", "--price", "40")
    assert later.returncode == 0, later.stderr
