"""Configuration as a person meets it: one line and exit 2 for any bad setting, and no secret in any output."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.oms_cli import EXAMPLE, POSITIONS, Oms

PLANTED = ("PKplanted7Q2WX", "s3cr3t-planted-Z9", "tok-planted-4411", "pw-planted-0xA")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[riskk]\nmax_order_value = 5\n", "riskk: unknown table; did you mean 'risk'?"),
        ("[execution]\nrun_timeout_seconds = 0\n", "execution.run_timeout_seconds: must be greater than 0 (got 0)"),
        ("[sim]\nstep_seconds = -10\n", "sim.step_seconds: must be greater than 0 (got -10)"),
        ("[algos]\nmax_slices = -1\n", "algos.max_slices: must be greater than or equal to 1 (got -1)"),
        ('[live]\nenabled = "yes"\n', "live.enabled: must be true or false"),
        ('[logging]\nlevel = "verbose"\n', "logging.level: must be 'debug', 'info', 'warning', 'error' or 'critical'"),
    ],
)
def test_a_bad_setting_is_one_line_and_exit_2(tmp_path: Path, content: str, expected: str) -> None:
    """`oms run --config bad.toml` prints one line naming the file and the key, exits 2, and writes no ledger."""
    oms = Oms(tmp_path)
    config = tmp_path / "bad.toml"
    config.write_text(content, encoding="utf-8")
    result = oms("run", EXAMPLE, "--config", config)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().startswith(f"error: {config}: {expected}")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert not (oms.data / "oms.db").exists()


def test_a_binary_config_file_is_one_line(tmp_path: Path) -> None:
    """A binary file given as --config is one line and exit 2, not a UnicodeDecodeError."""
    oms = Oms(tmp_path)
    config = tmp_path / "image.toml"
    config.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
    result = oms("plan", EXAMPLE, "--config", config)
    assert result.returncode == 2
    assert result.stderr.strip().startswith(f"error: {config}: not a text file")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_variables_error_names_the_variable(tmp_path: Path) -> None:
    """OMS_SIM__SPEED=0 is blamed on OMS_SIM__SPEED, not on config/default.toml."""
    result = Oms(tmp_path)("plan", EXAMPLE, env={"OMS_SIM__SPEED": "0"})
    assert result.returncode == 2
    assert result.stderr.strip() == "error: OMS_SIM__SPEED: sim.speed: must be greater than 0 (got 0)"


def _scan(where: str, text: str | bytes) -> list[str]:
    found = []
    for secret in PLANTED:
        needle = secret.encode() if isinstance(text, bytes) else secret
        if needle in text:  # type: ignore[operator]
            found.append(f"{secret} in {where}")
    return found


def test_no_planted_secret_reaches_any_output_of_a_whole_paper_run(tmp_path: Path) -> None:
    """Keys planted in the config file and the environment appear in no output, log, ticket, or database file."""
    oms = Oms(
        tmp_path,
        env={
            "APCA_API_KEY_ID": PLANTED[0],
            "OMS_ALPACA__SECRET_KEY": PLANTED[1],
            "OMS_DATABASE_URL": "",
        },
    )
    config = tmp_path / "mine.toml"
    config.write_text(f'[alpaca]\nkey_id = "{PLANTED[0]}"\nsecret_key = "{PLANTED[1]}"\n', encoding="utf-8")
    outputs = [
        oms("plan", EXAMPLE, "--positions", POSITIONS, "--config", config),
        oms("check", EXAMPLE, "--positions", POSITIONS, "--config", config),
        oms("run", EXAMPLE, "--config", config),
        oms("status", "--config", config),
        oms("status", "--json", "--config", config),
        oms("paths", "--config", config),
        oms("reconcile", "--json", "--config", config),
    ]
    assert outputs[2].returncode == 0, outputs[2].stderr
    (batch,) = oms.batches()
    outputs.append(oms("report", batch["id"], "--json", "--config", config))
    # Mistakes that carry secrets: a misspelt key, a list and a number where a key belongs, a token in the
    # wrong table, a password in a PostgreSQL URL that cannot be reached.
    mistakes = {
        "misspelt.toml": f'[alpaca]\nsecret_ky = "{PLANTED[1]}"\n',
        "list.toml": f'[alpaca]\nsecret_key = ["{PLANTED[1]}"]\n',
        "number.toml": "[alpaca]\nsecret_key = 4411\n",
        "token.toml": f'[risk]\napi_token = "{PLANTED[2]}"\n',
        "table.toml": f'[alpacca]\nkey_id = "{PLANTED[0]}"\n',
    }
    plain = Oms(tmp_path)  # the same home without the variables, which would win over the files
    for name, content in mistakes.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
        refused = plain("plan", EXAMPLE, "--config", tmp_path / name)
        assert refused.returncode == 2, refused.stderr
        assert "4411" not in refused.stderr
        outputs.append(refused)
    outputs.append(plain("paths", env={"OMS_DATABASE_URL": f"postgresql+psycopg://oms:{PLANTED[3]}@127.0.0.1:9/oms"}))
    outputs.append(plain("plan", EXAMPLE, env={"OMS_ALPACA__TIMEOUT_SECONDS": PLANTED[2]}))
    assert outputs[-1].returncode == 2

    leaks: list[str] = []
    for number, result in enumerate(outputs):
        leaks += _scan(f"output {number} ({result.args[1]})", result.stdout + result.stderr)
    written = [path for path in tmp_path.rglob("*") if path.is_file() and path.parent != tmp_path]
    written.append(tmp_path / "oms.jsonl")
    assert any(path.name == "oms.db" for path in written)
    for path in written:
        leaks += _scan(str(path), path.read_bytes())
    assert leaks == []
