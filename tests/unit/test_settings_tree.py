"""One settings tree, one loader: every table checked at load, one line per problem naming where the value came from."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.registry import SETTINGS_MODELS
from oms.config import DEFAULT_CONFIG, ConfigError, Settings, load_settings, redacted_url

PLANTED = "S3CR3T-planted-9f2c"


def _outcome(load: Callable[[], object]) -> str | None:
    """None when the settings load, else the ConfigError's message (any other exception fails the test)."""
    try:
        load()
    except ConfigError as exc:
        return str(exc)
    return None


@pytest.fixture(autouse=True)
def _no_oms_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """The host's OMS_* and APCA_* variables do not leak into these tests."""
    import os

    for name in list(os.environ):
        if name.startswith(("OMS_", "APCA_")):
            monkeypatch.delenv(name)


def problem(tmp_path: Path, content: str | bytes) -> str:
    config = tmp_path / "mine.toml"
    if isinstance(content, bytes):
        config.write_bytes(content)
    else:
        config.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    message = str(caught.value)
    assert "\n" not in message
    return message.removeprefix(f"{config}: ")


def test_a_bad_execution_value_is_one_line_naming_file_table_and_key(tmp_path: Path) -> None:
    """[execution] poll_seconds = 0 is refused when loading, as FILE: execution.poll_seconds: reason."""
    assert (
        problem(tmp_path, "[execution]\npoll_seconds = 0\n") == "execution.poll_seconds: must be greater than 0 (got 0)"
    )


def test_a_variables_error_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bad OMS_<TABLE>__<KEY> value is blamed on the variable, not on config/default.toml."""
    monkeypatch.setenv("OMS_EXECUTION__POLL_SECONDS", "-1")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value) == "OMS_EXECUTION__POLL_SECONDS: execution.poll_seconds: must be greater than 0 (got -1)"
    assert "default.toml" not in str(caught.value)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[riskk]\nmax_order_value = 5\n", "riskk: unknown table; did you mean 'risk'?"),
        ('data_dri = "/tmp/x"\n', "data_dri: unknown key; did you mean 'data_dir'?"),
        ("[sim]\nspede = 5\n", "sim.spede: unknown key; did you mean 'speed'?"),
        ("[algos]\nmax_slice = 5\n", "algos.max_slice: unknown key; did you mean 'max_slices'?"),
        ("[execution]\npoll_second = 1\n", "execution.poll_second: unknown key; did you mean 'poll_seconds'?"),
        ("[ibkr]\nprot = 1\n", "ibkr.prot: unknown key; did you mean 'port'?"),
        ("[manual]\npth = 'x'\n", "manual.pth: unknown key; did you mean 'path'?"),
        ("[zzz]\nq = 1\n", "zzz: unknown table; known: "),
    ],
)
def test_unknown_tables_and_keys_name_the_nearest_valid_name(tmp_path: Path, content: str, expected: str) -> None:
    """A misspelt table or key anywhere is refused, with the nearest valid name."""
    assert problem(tmp_path, content).startswith(expected)


def test_an_unknown_variable_suggests_the_right_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """OMS_RISKK__MAX_ORDER_VALUE is refused and the message names OMS_RISK__MAX_ORDER_VALUE."""
    monkeypatch.setenv("OMS_RISKK__MAX_ORDER_VALUE", "5")
    with pytest.raises(ConfigError, match=r"^OMS_RISKK__MAX_ORDER_VALUE: riskk: .*OMS_RISK__MAX_ORDER_VALUE"):
        load_settings()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[sim]\nspeed = 0\n", "sim.speed: must be greater than 0 (got 0)"),
        ("[sim]\nspeed = -10\n", "sim.speed: must be greater than 0 (got -10)"),
        ("[sim]\nspeed = inf\n", "sim.speed: must be a finite number"),
        ("[sim]\nspeed = nan\n", "sim.speed: must be a finite number"),
        ("[sim]\nstart_date = '2026-13-01'\n", "sim.start_date: must be a date written YYYY-MM-DD"),
        ("[sim]\ncheck_buying_power = 'no'\n", "sim.check_buying_power: must be true or false"),
        ("[algos]\nmax_slices = -1\n", "algos.max_slices: must be greater than or equal to 1 (got -1)"),
        ('[live]\nenabled = "yes"\n', "live.enabled: must be true or false"),
        ("[live]\nenabled = 1\n", "live.enabled: must be true or false"),
        ("[logging]\nconsole = 'false'\n", "logging.console: must be true or false"),
        (
            '[logging]\nlevel = "verbose"\n',
            "logging.level: must be 'debug', 'info', 'warning', 'error' or 'critical' (got 'verbose')",
        ),
        ("[ibkr]\nport = 0\n", "ibkr.port: must be greater than or equal to 1"),
        ("[ibkr]\nport = true\n", "ibkr.port: must be a number, not true or false"),
        ("[database]\nbusy_timeout_ms = -1\n", "database.busy_timeout_ms: must be greater than or equal to 0"),
        ("[database]\nsqlite_synchronous = 'sometimes'\n", "database.sqlite_synchronous: must be 'off', 'normal'"),
        ("[execution]\nheartbeat_seconds = 60\n", "execution: heartbeat_seconds (60.0) must be shorter than"),
        ("[tca]\nwarn_above_expected_bps = -1\n", "tca.warn_above_expected_bps: must be greater than or equal to 0"),
        ("[guidance]\ntime_in_force = 'forever'\n", "guidance.time_in_force: must be"),
        ("[alpaca]\nbase_url = 'ftp://x'\n", "alpaca.base_url: must be an http:// or https:// address"),
        ("[risk]\nexchange = 'new york'\n", "risk.exchange: must be an exchange calendar code"),
    ],
)
def test_every_value_is_range_checked(tmp_path: Path, content: str, expected: str) -> None:
    """Nonsense is refused at load time with the key and the reason, whatever the table."""
    assert problem(tmp_path, content).startswith(expected)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file: byte 1 is not UTF-8"),
        ("[sim]\nseed = 7\n".encode("utf-16"), "not a text file"),
        ("[risk]\nexchange = 'caf\u00e9'\n".encode("latin-1"), "not a text file"),
        (b"a = 1\x00\n", "not valid TOML"),
        (b"[database\nurl=1", "not valid TOML"),
        (b"x = " + b"[" * 5000, "not valid TOML"),
    ],
)
def test_a_binary_or_non_utf8_file_is_one_line(tmp_path: Path, content: bytes, expected: str) -> None:
    """Bytes that are not TOML text are one line naming the file, never a traceback."""
    assert problem(tmp_path, content).startswith(expected)


def test_a_folder_given_as_the_config_file_is_one_line(tmp_path: Path) -> None:
    """--config pointing at a folder is named, not an IsADirectoryError."""
    with pytest.raises(ConfigError, match="is a folder"):
        load_settings(tmp_path)


@pytest.mark.parametrize(
    "content",
    [
        f'[alpaca]\nsecret_ky = "{PLANTED}"\n',
        f'[alpaca]\nsecret_key = ["{PLANTED}"]\n',
        "[alpaca]\nsecret_key = 31415926535\n",
        f'[alpaca]\ntimeout_seconds = "{PLANTED}"\n',
        f'[alpaca]\nbase_url = "{PLANTED}"\n',
        f'[alpacca]\nsecret_key = "{PLANTED}"\n',
        f'[risk]\napi_token = "{PLANTED}"\n',
        f'[ibkr]\npassword = "{PLANTED}"\n',
        f'secret_ky = "{PLANTED}"\n',
        f'[database]\nurl = ["{PLANTED}"]\n',
    ],
)
def test_no_secret_value_is_echoed(tmp_path: Path, content: str) -> None:
    """Misspelt, mistyped or misplaced secrets, and any value of a table holding secrets, never reach the message."""
    message = problem(tmp_path, content)
    assert PLANTED not in message
    assert "31415926535" not in message
    assert "input_value" not in message


def test_a_secret_from_the_environment_is_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong value in a secret table, given by a variable, is named by its variable only."""
    monkeypatch.setenv("OMS_ALPACA__TIMEOUT_SECONDS", PLANTED)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert str(caught.value).startswith("OMS_ALPACA__TIMEOUT_SECONDS: alpaca.timeout_seconds: ")
    assert PLANTED not in str(caught.value)


def test_the_redacted_snapshot_holds_no_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings.redacted() is what may be printed, logged or stored: keys, tokens and URL passwords are gone."""
    monkeypatch.setenv("APCA_API_KEY_ID", f"PK{PLANTED}")
    monkeypatch.setenv("OMS_ALPACA__SECRET_KEY", PLANTED)
    monkeypatch.setenv("OMS_DATABASE_URL", f"postgresql+psycopg://oms:{PLANTED}@db:5432/oms")
    loaded = load_settings()
    snapshot = json.dumps(loaded.redacted())
    assert PLANTED not in snapshot
    assert PLANTED not in repr(loaded)
    assert "postgresql+psycopg://oms:***@db:5432/oms" in snapshot
    assert redacted_url("sqlite:////tmp/oms.db") == "sqlite:////tmp/oms.db"


def test_variables_are_typed_by_the_setting_they_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """A text setting takes the variable verbatim (an all-digit account stays text); numbers parse as numbers."""
    monkeypatch.setenv("OMS_LIVE__ACCOUNT", "123456")
    monkeypatch.setenv("OMS_ALGOS__MAX_SLICES", "2")
    monkeypatch.setenv("OMS_ALGOS__IS_DECAY__HIGH", "0.4")
    loaded = load_settings()
    assert loaded.live.account == "123456"
    assert loaded.algos.max_slices == 2
    assert str(loaded.algos.is_decay["high"]) == "0.4"  # type: ignore[index]


def test_default_toml_documents_every_key_of_every_table() -> None:
    """config/default.toml has exactly the keys the models know, so every key is documented there."""
    shipped = tomllib.loads(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    models = {name: field.annotation for name, field in Settings.model_fields.items()} | SETTINGS_MODELS
    assert set(shipped) == set(models)
    for name, model in models.items():
        if isinstance(model, type) and hasattr(model, "model_fields"):
            assert set(shipped[name]) == set(model.model_fields), name


def test_the_shipped_defaults_load_into_every_table() -> None:
    """Loading with no user file checks the shipped defaults against every model, adapters included."""
    loaded = load_settings()
    for name, model in SETTINGS_MODELS.items():
        assert isinstance(loaded.adapter(name, model), model)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(lambda t: t.encode("utf-8"))))
def test_any_bytes_are_settings_or_one_clear_line(tmp_path: Path, content: bytes) -> None:
    """Whatever the file holds, the loader returns settings or raises one ConfigError line naming the file."""
    config = tmp_path / "fuzz.toml"
    config.write_bytes(content)
    message = _outcome(lambda: load_settings(config))
    if message is not None:
        assert "\n" not in message
        assert message.startswith((str(config), str(DEFAULT_CONFIG)))


_KEYS = st.sampled_from(["speed", "port", "enabled", "level", "max_slices", "secret_key", "poll_seconds", "seed"])
_TABLES = st.sampled_from(["sim", "ibkr", "live", "logging", "algos", "alpaca", "execution", "risk", "riskk"])
_VALUES = st.one_of(
    st.integers(),
    st.floats(),
    st.booleans(),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=_TABLES, key=_KEYS, value=_VALUES)
def test_any_value_in_any_table_is_settings_or_one_clear_line(table: str, key: str, value: object) -> None:
    """Valid TOML with any value of any kind under any key loads or is refused as one line; a secret never echoes."""
    message = _outcome(lambda: load_settings(**{table: {key: value}}))
    if message is not None:
        assert "\n" not in message
        assert message.startswith(f"command line: {table}")
        if key == "secret_key" or table == "alpaca":
            assert repr(value) not in message or value in ("", 0)
