"""Every malformed planning file in tests/corpus: placed lines, exit 2, no traceback, the ledger untouched.

The `oms` entry point (`oms.cli.main`, with its error boundary) runs in this process so the whole corpus takes
seconds; tests/e2e/test_error_boundary_cli.py runs the installed command in subprocesses.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from oms.cli import main
from oms.store import Ledger
from tests.e2e.oms_cli import EXAMPLE, POSITIONS

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "malformed"
FILES = sorted(p for p in CORPUS.iterdir() if p.name != "README.md")


def generated(folder: Path) -> list[Path]:
    """The corpus files too large to keep in the repository."""
    long_line = folder / "trades_long_line.csv"
    long_line.write_text('symbol,action,shares\nSPY,BUY,1\nSPY,BUY,"' + "1" * 140_000 + '"\n', encoding="utf-8")
    nested = folder / "trades_nested.json"
    nested.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    nested_toml = folder / "targets_nested.toml"
    nested_toml.write_text("[targets]\nSPY = " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    return [long_line, nested, nested_toml]


@pytest.fixture(autouse=True)
def _keep_umask() -> Iterator[None]:
    mask = os.umask(0o022)
    os.umask(mask)
    yield
    os.umask(mask)


def oms_in_process(
    home: Path, args: list[str | Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    """Run `oms ARGS` through its real entry point; return the exit code and everything printed."""
    for name in [k for k in os.environ if k.startswith("OMS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("OMS_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("OMS_LOGGING__FILE", str(home / "oms.jsonl"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setattr(sys, "argv", ["oms", *map(str, args)])
    with pytest.raises(SystemExit) as exited:
        main()
    captured = capsys.readouterr()
    return int(exited.value.code or 0), captured.err + "\n" + captured.out


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with an existing ledger, as a user who has run the OMS before has."""
    home = tmp_path_factory.mktemp("corpus")
    (home / "data").mkdir()
    Ledger.open(f"sqlite:///{home / 'data' / 'oms.db'}").close()
    return home


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under folder with the hash of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


def command_for(path: Path) -> list[str | Path]:
    """Feed each kind of file to the command that writes when the input is good."""
    if path.name.startswith("positions_"):
        return ["run", EXAMPLE, "--mode", "manual", "--positions", path]
    if path.name.startswith("targets_"):
        return ["rebalance", "--targets", path, "--positions", POSITIONS]
    return ["run", path]


@pytest.mark.parametrize(
    "name", [p.name for p in FILES] + ["trades_long_line.csv", "trades_nested.json", "targets_nested.toml"]
)
def test_a_malformed_file_is_placed_lines_exit_2_and_writes_nothing(
    home: Path, tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """One `error: FILE:LINE...` line per problem, exit 2, no traceback, every file of the data folder unchanged."""
    extra = {p.name: p for p in generated(tmp_path)}
    path = extra.get(name) or CORPUS / name
    before = snapshot(home / "data")
    code, output = oms_in_process(home, command_for(path), monkeypatch, capsys)
    assert code == 2, output
    assert "Traceback" not in output
    lines = [line for line in output.splitlines() if line.strip()]
    assert lines, "no message at all"
    placed = re.compile(rf"^error: {re.escape(str(path))}:(\d+|item \d+): \S")
    assert all(placed.match(line) for line in lines), output
    assert snapshot(home / "data") == before
