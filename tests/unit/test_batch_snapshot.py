"""The settings snapshot a batch keeps: no secret and no database URL in it, and it comes back with them."""

from __future__ import annotations

import json

import pytest

from oms.config import load_settings
from oms.operations.snapshot import overrides_for, take

SECRET = "snapshot-secret-0123456789abcdef"


def test_the_snapshot_holds_no_secret_and_a_later_command_rebuilds_the_settings_from_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Planned with OMS_ALPACA__SECRET_KEY, a password in the URL and a risk limit: only the limit is stored; a
    later process without that limit in its environment gets it from the batch, and its own secret from its own."""
    monkeypatch.setenv("OMS_ALPACA__SECRET_KEY", SECRET)
    monkeypatch.setenv("OMS_DATABASE_URL", f"postgresql+psycopg://oms:{SECRET}@127.0.0.1/oms")
    monkeypatch.setenv("OMS_RISK__MAX_ORDER_VALUE", "777")
    snapshot = take(load_settings())
    assert SECRET not in snapshot
    assert "database" not in json.loads(snapshot)
    assert json.loads(snapshot)["risk"]["max_order_value"] == "777"

    monkeypatch.delenv("OMS_RISK__MAX_ORDER_VALUE")
    monkeypatch.setenv("OMS_ALPACA__SECRET_KEY", "later-secret")
    later = load_settings(None, **overrides_for({"settings": snapshot}, load_settings()))
    assert later.risk.max_order_value == 777
    assert later.database.url.endswith("/oms")  # this process's own database, not one from the batch
    assert "later-secret" in json.dumps(later.section("alpaca"), default=lambda v: v.get_secret_value())


def test_this_process_environment_wins_over_the_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMS_RISK__MAX_ORDER_VALUE", "777")
    snapshot = take(load_settings())
    monkeypatch.setenv("OMS_RISK__MAX_ORDER_VALUE", "888")
    later = load_settings(None, **overrides_for({"settings": snapshot}, load_settings()))
    assert later.risk.max_order_value == 888
