"""Gateway settings: the `[ibkr]` table, OMS_IBKR__* variables, and the documented OMS_IBKR_* aliases."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.ibkr import IbkrBroker, IbkrSettings, create_broker, settings_from_env
from adapters.registry import broker_names, make_broker
from oms.config import ConfigError, load_settings


def test_environment_overrides_the_config() -> None:
    """Each OMS_IBKR_* alias replaces its setting; unset or empty ones leave the config alone."""
    base = IbkrSettings(host="10.0.0.5", port=4002, client_id=17, account="DU1")
    env = {"OMS_IBKR_PORT": "7497", "OMS_IBKR_CLIENT_ID": "3", "OMS_IBKR_ACCOUNT": "DU2", "OMS_IBKR_HOST": ""}
    merged = settings_from_env(base, env)
    assert (merged.host, merged.port, merged.client_id, merged.account) == ("10.0.0.5", 7497, 3, "DU2")


def test_the_canonical_variable_wins_over_the_alias(monkeypatch: pytest.MonkeyPatch) -> None:
    """OMS_IBKR__PORT is the scheme; OMS_IBKR_PORT is an alias it overrides when both are set."""
    monkeypatch.setenv("OMS_IBKR_PORT", "7497")
    assert load_settings().adapter("ibkr", IbkrSettings).port == 7497
    monkeypatch.setenv("OMS_IBKR__PORT", "4001")
    assert load_settings().adapter("ibkr", IbkrSettings).port == 4001


def test_a_malformed_port_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """A port that is not a number is a configuration error naming the variable, not a file."""
    with pytest.raises(ConfigError, match=r"^OMS_IBKR_PORT: ibkr\.port: "):
        settings_from_env(IbkrSettings(), {"OMS_IBKR_PORT": "forty"})
    monkeypatch.setenv("OMS_IBKR__PORT", "70000")
    with pytest.raises(ConfigError, match=r"^OMS_IBKR__PORT: ibkr\.port: must be less than or equal to 65535"):
        load_settings()


def test_the_registry_entry_builds_a_paper_or_live_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    """create_broker honours the mode and the loaded [ibkr] table (variables included), and connects to nothing."""
    paper = create_broker(load_settings(), mode="paper")
    monkeypatch.setenv("OMS_IBKR_PORT", "4001")
    live = create_broker(load_settings(), mode="live")
    assert (live.name, paper.name) == ("ibkr", "ibkr")
    assert live.live
    assert not paper.live
    assert live.port == 4001


def test_the_registry_knows_ibkr(tmp_path: Path) -> None:
    """`make_broker("ibkr", ..., mode=...)` builds the IBKR adapter for that mode."""
    broker = make_broker("ibkr", load_settings(), data_dir=tmp_path, mode="live")
    assert isinstance(broker, IbkrBroker)
    assert broker.live
    assert "ibkr" in broker_names()
