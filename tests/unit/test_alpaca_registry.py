"""The registry builds the Alpaca adapter by name, from the settings and the APCA_* variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.alpaca import AlpacaBroker, AlpacaConfigError
from adapters.registry import make_broker
from oms.config import load_settings


def test_alpaca_is_built_by_name_without_secrets_in_its_repr(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`--broker alpaca` gives an AlpacaBroker on the configured endpoint; its repr shows no key."""
    monkeypatch.setenv("APCA_API_KEY_ID", "PKREGISTRY")
    monkeypatch.setenv("APCA_API_SECRET_KEY", "registry-secret")
    monkeypatch.setenv("APCA_API_BASE_URL", "http://127.0.0.1:1")
    broker = make_broker("alpaca", load_settings(), data_dir=tmp_path, mode="paper")
    assert isinstance(broker, AlpacaBroker)
    assert broker.connection.base_url == "http://127.0.0.1:1"
    assert "registry-secret" not in repr(broker)
    assert "PKREGISTRY" not in repr(broker)


def test_alpaca_without_keys_is_a_config_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Missing keys surface as a ConfigError the CLI prints as one line."""
    for name in ("APCA_API_KEY_ID", "APCA_API_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(AlpacaConfigError, match="APCA_API_KEY_ID"):
        make_broker("alpaca", load_settings(), data_dir=tmp_path)
