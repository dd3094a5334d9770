"""Where the adapter connects: APCA_* variables, the config, the derived stream URL, and the live guards."""

from __future__ import annotations

import pytest

from adapters.alpaca.settings import AlpacaConfigError, AlpacaConnection
from oms.config import load_settings

KEYS = {"APCA_API_KEY_ID": "PKTEST", "APCA_API_SECRET_KEY": "s3cret-value"}


def test_the_environment_names_keys_and_endpoint_and_the_stream_follows() -> None:
    """APCA_API_BASE_URL sets REST; the stream is the same host over ws(s) at /stream."""
    connection = AlpacaConnection.from_settings(
        load_settings(), environ={**KEYS, "APCA_API_BASE_URL": "http://127.0.0.1:9/v2"}
    )
    assert connection.trading_url == "http://127.0.0.1:9"
    assert connection.trade_stream_url == "ws://127.0.0.1:9/stream"
    paper = AlpacaConnection.from_settings(load_settings(), environ=KEYS)
    assert paper.trade_stream_url == "wss://paper-api.alpaca.markets/stream"
    assert not paper.live


def test_keys_never_show_in_a_repr() -> None:
    """The connection prints its endpoint, never its keys."""
    connection = AlpacaConnection.from_settings(load_settings(), environ=KEYS)
    assert "s3cret-value" not in repr(connection)
    assert "PKTEST" not in repr(connection)


def test_missing_keys_say_which_variables_to_set() -> None:
    """Without keys the error names APCA_API_KEY_ID and APCA_API_SECRET_KEY."""
    with pytest.raises(AlpacaConfigError, match="APCA_API_KEY_ID"):
        AlpacaConnection.from_settings(load_settings(), environ={})


def test_the_live_endpoint_is_refused_in_paper_mode() -> None:
    """A live URL without live mode is refused, whatever the keys."""
    env = {**KEYS, "APCA_API_BASE_URL": "https://api.alpaca.markets"}
    with pytest.raises(AlpacaConfigError, match="paper mode refuses"):
        AlpacaConnection.from_settings(load_settings(), environ=env)


def test_live_mode_needs_the_live_endpoint_and_the_users_live_settings() -> None:
    """Live mode refuses the paper endpoint, and needs live.enabled and live.account."""
    with pytest.raises(AlpacaConfigError, match="needs the live endpoint"):
        AlpacaConnection.from_settings(load_settings(), mode="live", environ=KEYS)
    env = {**KEYS, "APCA_API_BASE_URL": "https://api.alpaca.markets"}
    with pytest.raises(AlpacaConfigError, match=r"live\.enabled"):
        AlpacaConnection.from_settings(load_settings(), mode="live", environ=env)
    settings = load_settings(live={"enabled": True, "account": "123456"})
    connection = AlpacaConnection.from_settings(settings, mode="live", environ=env)
    assert connection.live
    assert connection.expected_account == "123456"
