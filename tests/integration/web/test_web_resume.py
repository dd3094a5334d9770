"""Resume from the dashboard does what `oms resume` does: what a halt cut short is sent again, never left behind."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from oms.config import load_settings
from oms.store import Ledger
from oms.web.app import create_app
from oms.web.security import Tokens
from oms.web.settings import ServeSettings
from tests.e2e.test_halt_resume_cli import manual_batch_cut_by_a_halt, of, only_batch
from tests.integration.web.support import OPERATOR_TOKEN, VIEWER_TOKEN


def test_resume_from_the_api_sends_the_rest_of_a_halted_sell(tmp_path: Path) -> None:
    """TQQQ was cut at 162 of 410 by `oms halt`; the dashboard's resume sends 248 more under a new client id."""
    oms, batch = manual_batch_cut_by_a_halt(tmp_path)
    (cut,) = of(batch, "TQQQ")
    ledger = Ledger.open(f"sqlite:///{oms.data / 'oms.db'}")
    try:
        settings = load_settings(data_dir=str(oms.data), risk={"market_hours": "off"})
        serve = ServeSettings(token=OPERATOR_TOKEN, viewer_token=VIEWER_TOKEN, login_attempts=5)
        app = create_app(settings, ledger, serve, Tokens(OPERATOR_TOKEN, VIEWER_TOKEN))
        client = TestClient(app, headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"})
        answer = client.post("/api/resume")
        assert answer.status_code == 200, answer.text
        assert answer.json()["detail"] == "resumed"
        assert client.get("/api/batches").json()["halts"] == []
    finally:
        ledger.close()
    old, new = of(only_batch(oms), "TQQQ")
    assert old["client_order_id"] == cut["client_order_id"]
    assert (new["quantity"], new["status"]) == ("248", "submitted")
    assert new["client_order_id"] != cut["client_order_id"]
