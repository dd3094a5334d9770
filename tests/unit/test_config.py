"""Settings: defaults, a user's file over them, the environment over both, explicit flags over all."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from adapters.alpaca import AlpacaSettings
from adapters.ibkr import IbkrSettings
from adapters.sim import SimSettings
from oms.config import ConfigError, load_settings


def test_defaults_use_sqlite_in_the_data_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without configuration the ledger is an SQLite file in the data directory."""
    monkeypatch.delenv("OMS_DATABASE_URL", raising=False)
    settings = load_settings(data_dir=str(tmp_path))
    assert settings.database_url == f"sqlite:///{tmp_path / 'oms.db'}"


def test_user_file_then_environment_then_flags(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Each layer overrides the one before it, key by key."""
    user = tmp_path / "mine.toml"
    user.write_text('[database]\nurl = "sqlite:///from-file.db"\n[ibkr]\nport = 4001\n')
    monkeypatch.delenv("OMS_DATABASE_URL", raising=False)
    assert load_settings(user).database.url == "sqlite:///from-file.db"
    assert load_settings(user).adapter("ibkr", IbkrSettings).port == 4001
    monkeypatch.setenv("OMS_DATABASE_URL", "sqlite:///from-env.db")
    assert load_settings(user).database.url == "sqlite:///from-env.db"
    assert load_settings(user, database={"url": "sqlite:///from-flag.db"}).database.url == "sqlite:///from-flag.db"


def test_secrets_are_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """A key given in the environment is a SecretStr: printing the settings does not show it."""
    monkeypatch.setenv("OMS_ALPACA__SECRET_KEY", "very-secret")
    settings = load_settings()
    assert settings.adapter("alpaca", AlpacaSettings).secret_key.get_secret_value() == "very-secret"
    assert "very-secret" not in repr(settings)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[database\nurl=1", "not valid TOML"),
        ('[ibkr]\nport = "many"\n', "ibkr.port: must be a whole number (got 'many')"),
        ("[logging]\nnope = 1\n", "logging.nope: unknown key"),
    ],
)
def test_bad_config_file_is_one_clear_error(tmp_path: Path, content: str, expected: str) -> None:
    """A broken or wrong config file names the file and the problem."""
    bad = tmp_path / "bad.toml"
    bad.write_text(content)
    with pytest.raises(ConfigError) as caught:
        load_settings(bad)
    assert str(bad) in str(caught.value)
    assert expected in str(caught.value)


def test_missing_config_file_is_named(tmp_path: Path) -> None:
    """A config path that does not exist is reported with its path."""
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_settings(tmp_path / "absent.toml")


def test_environment_reaches_tables_read_by_features(monkeypatch: pytest.MonkeyPatch) -> None:
    """OMS_<TABLE>__<KEY> overrides any table, typed as TOML where it parses (a number stays a number)."""
    monkeypatch.setenv("OMS_REBALANCE__MAX_POSITION", "0.2")
    monkeypatch.setenv("OMS_SIM__SPEED", "600")
    monkeypatch.setenv("OMS_SIM__PATH", "/tmp/venue.db")
    settings = load_settings()
    assert settings.rebalance.max_position == Decimal("0.2")
    assert settings.adapter("sim", SimSettings).speed == 600
    assert settings.adapter("sim", SimSettings).path == "/tmp/venue.db"
