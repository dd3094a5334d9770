"""Gateway settings from the config, overridden by OMS_IBKR_HOST / PORT / CLIENT_ID / ACCOUNT."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.ibkr import IbkrBroker, create_broker, settings_from_env
from adapters.registry import broker_names, make_broker
from oms.config import ConfigError, IbkrSettings, load_settings


def test_environment_overrides_the_config() -> None:
    """Each OMS_IBKR_* variable replaces its setting; unset or empty ones leave the config alone."""
    base = IbkrSettings(host="10.0.0.5", port=4002, client_id=17, account="DU1")
    env = {"OMS_IBKR_PORT": "7497", "OMS_IBKR_CLIENT_ID": "3", "OMS_IBKR_ACCOUNT": "DU2", "OMS_IBKR_HOST": ""}
    merged = settings_from_env(base, env)
    assert (merged.host, merged.port, merged.client_id, merged.account) == ("10.0.0.5", 7497, 3, "DU2")


def test_a_malformed_port_names_its_variable() -> None:
    """A port that is not a number is a configuration error naming OMS_IBKR_PORT."""
    with pytest.raises(ConfigError, match="OMS_IBKR_PORT"):
        settings_from_env(IbkrSettings(), {"OMS_IBKR_PORT": "forty"})


def test_the_registry_entry_builds_a_paper_or_live_adapter() -> None:
    """create_broker honours the mode and the OMS_IBKR_* overrides, and connects to nothing yet."""
    settings = load_settings()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OMS_IBKR_PORT", "4001")
        live = create_broker(settings, mode="live")
    paper = create_broker(settings, mode="paper")
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
