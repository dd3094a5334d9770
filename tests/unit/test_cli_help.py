"""`--help` at 80 and 160 columns: choices for --mode and --broker, no `<bool>` beside a flag."""

from __future__ import annotations

from typing import get_args

import pytest
from typer.testing import CliRunner

from adapters.registry import broker_names
from oms.bootstrap import MODES
from oms.cli import app
from oms.cli.batches import BrokerName, Mode

COMMANDS = ["run", "submit", "daemon", "reconcile", "status", "report", "plan", "rebalance", "check", "halt", "cancel"]


@pytest.mark.parametrize("columns", ["80", "160"])
@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_no_bool_type_on_flags(command: str, columns: str) -> None:
    """Flags such as --json, --help and --supervised/--auto show no `<bool>`."""
    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": columns, "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.output


@pytest.mark.parametrize("columns", ["80", "160"])
def test_run_help_lists_the_modes_and_brokers(columns: str) -> None:
    """`oms run --help` names every mode and broker instead of `<str>`."""
    result = CliRunner().invoke(app, ["run", "--help"], env={"COLUMNS": columns, "NO_COLOR": "1"})
    assert "<manual|paper|live>" in result.output
    if columns == "160":
        assert "<sim|alpaca|ibkr|manual>" in result.output


def test_the_choices_match_the_modes_and_the_registry() -> None:
    """The CLI's choices are exactly the modes the wiring knows and the brokers the registry builds."""
    assert set(get_args(Mode)) == set(MODES)
    assert set(get_args(BrokerName)) == set(broker_names())


def test_an_unknown_mode_is_refused_naming_the_choices() -> None:
    """`--mode pape` is a usage error (exit 2) listing the valid modes."""
    result = CliRunner().invoke(app, ["run", "x.csv", "--mode", "pape"], env={"COLUMNS": "160", "NO_COLOR": "1"})
    assert result.exit_code == 2
    assert "'manual', 'paper', 'live'" in result.output
