"""The live feed over real HTTP on loopback, on SQLite and PostgreSQL: a fill booked in the ledger reaches a
connected client within a second; the feed resumes after the last id it sent."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import uvicorn

from oms.config import load_settings
from oms.store import Ledger
from oms.web.app import create_app
from oms.web.security import Tokens
from oms.web.settings import ServeSettings
from tests.integration.web.support import OPERATOR_TOKEN, VIEWER_TOKEN
from tests.integration.web.test_dashboard_chromium import free_port
from tests.unit.builders import new_order


@pytest.fixture
def served(ledger: Ledger, tmp_path: Path) -> Iterator[str]:
    """The app over the ledger fixture (both backends), served by uvicorn in a thread on a loopback port."""
    settings = load_settings(data_dir=str(tmp_path))
    app = create_app(settings, ledger, ServeSettings(), Tokens(OPERATOR_TOKEN, VIEWER_TOKEN))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def book_fill_later(ledger: Ledger, order_id: str, booked: list[float]) -> threading.Thread:
    def run() -> None:
        time.sleep(0.8)
        with ledger.unit_of_work() as uow:
            order = uow.orders.get(order_id)
            assert order is not None
            order.fill("exec-1", "4", "150.10", at=datetime.now(UTC))
            uow.orders.save(order)
            uow.commit()
        booked.append(time.monotonic())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_fill_reaches_a_connected_viewer_within_a_second(ledger: Ledger, served: str) -> None:
    """Book a fill while a viewer listens: its event arrives well within a second of the commit."""
    order = new_order()
    order.validate()
    order.submit("coid-live")
    with ledger.unit_of_work() as uow:
        uow.orders.add(order)
        uow.commit()
    booked: list[float] = []
    headers = {"Authorization": f"Bearer {VIEWER_TOKEN}"}
    with httpx.stream("GET", f"{served}/api/events", headers=headers, timeout=10) as feed:
        assert feed.status_code == 200
        assert feed.headers["content-type"].startswith("text/event-stream")
        writer = book_fill_later(ledger, order.id, booked)
        event_id, received = None, None
        for line in feed.iter_lines():
            if line.startswith("id: "):
                event_id = int(line[4:])
            if line.startswith("data: ") and json.loads(line[6:]).get("kind") == "fill":
                received = time.monotonic()
                break
        writer.join()
    assert received is not None
    assert booked
    latency = received - booked[0]
    print(f"fill-to-browser latency: {latency * 1000:.0f} ms")
    assert latency < 1.0
    # Reconnecting with ?after=0 (or Last-Event-ID) replays the rows after that id, oldest first.
    with httpx.stream("GET", f"{served}/api/events?after=0", headers=headers, timeout=10) as again:
        kinds = []
        for line in again.iter_lines():
            if line.startswith("data: "):
                kinds.append(json.loads(line[6:])["kind"])
            if len(kinds) == 4:
                break
    assert kinds == ["created", "validated", "submitted", "fill"]
    assert event_id is not None
