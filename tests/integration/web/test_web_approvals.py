"""Approvals from the dashboard follow `oms approve`: warned orders only when named, or all; the page says so."""

from __future__ import annotations

from pathlib import Path

from tests.integration.web.support import OPERATOR_TOKEN, csrf_of, make_site, submit


def test_warned_orders_need_naming_or_all_as_with_oms_approve(tmp_path: Path) -> None:
    """Every order warned (ADV): approving the batch approves none of them; naming one approves it; all the rest."""
    site = make_site(tmp_path)
    site.oms.env["OMS_RISK__MAX_ADV_PCT_WARN"] = "0.000000001"  # every order warns, none blocks
    try:
        batch = submit(site.oms, "w", "AAPL,SELL,3", "TLT,SELL,10", "SPY,SELL,2")
        api = site.client(OPERATOR_TOKEN)
        detail = api.get(f"/api/batches/{batch}").json()
        warned = detail["awaiting_approval"]
        assert len(warned) == 3
        assert {f["code"] for f in detail["risk"]} == {"ADV_LIMIT"}

        browser = site.browser()
        page = browser.get(f"/batches/{batch}")
        assert page.text.count('name="order"') == 3
        assert "Approve all, warnings too" in page.text
        browser.post(f"/batches/{batch}/approve", data={"csrf": csrf_of(page.text), "all": "0"})
        assert len(api.get(f"/api/batches/{batch}").json()["awaiting_approval"]) == 3

        page = browser.get(f"/batches/{batch}")
        named = warned[0]
        answer = browser.post(
            f"/batches/{batch}/approve", data={"csrf": csrf_of(page.text), "order": named, "all": "0"}
        )
        assert answer.status_code == 303
        assert "1%20orders%20approved" in answer.headers["location"]
        left = api.get(f"/api/batches/{batch}").json()
        assert named not in left["awaiting_approval"]
        assert len(left["awaiting_approval"]) == 2
        assert left["waiting_for"] == "an operator: approve the orders with warnings"

        done = api.post(f"/api/batches/{batch}/approve", json={"all": True}).json()
        assert sorted(done["orders"]) == sorted(left["awaiting_approval"])
        assert api.get(f"/api/batches/{batch}").json()["awaiting_approval"] == []
    finally:
        site.ledger.close()


def test_cancel_a_whole_batch_ends_its_unsent_orders_and_the_batch(tmp_path: Path) -> None:
    """A batch still waiting for approval is cancelled whole: its orders end here, the batch is cancelled."""
    site = make_site(tmp_path)
    try:
        batch = submit(site.oms, "c", "AAPL,SELL,3", "TLT,SELL,10")
        api = site.client(OPERATOR_TOKEN)
        answer = api.post(f"/api/batches/{batch}/cancel", json={"reason": "wrong file"})
        assert answer.status_code == 200, answer.text
        detail = api.get(f"/api/batches/{batch}").json()
        assert detail["status"] == "cancelled"
        assert [o["status"] for w in detail["waves"] for o in w["orders"]] == ["cancelled", "cancelled"]
        assert any(a["what"] == "web.cancel_batch" for a in detail["audit"])
        assert api.post(f"/api/batches/{batch}/cancel", json={}).status_code == 409
        assert api.post("/api/batches/nope/cancel", json={}).status_code == 404
    finally:
        site.ledger.close()
