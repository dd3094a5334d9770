"""Notifications through apprise to a JSON webhook and an SMTP server on loopback: each event once, even after a
restart of the notifier."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from oms.config import load_settings
from oms.store import Ledger
from oms.web.notify import Notifier
from oms.web.settings import NotifySettings
from tests.e2e.oms_cli import Oms
from tests.integration.web.support import submit


class Webhook:
    """A loopback HTTP server that keeps every JSON body posted to it."""

    def __init__(self) -> None:
        received: list[dict[str, Any]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                received.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        self.received = received
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}/hook"

    def titles(self) -> list[str]:
        return [str(body["title"]) for body in self.received]


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []
        messages = self.messages

        class Handler:
            async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
                messages.append(envelope.content)
                return "250 OK"

        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    @property
    def url(self) -> str:
        return f"mailto://127.0.0.1:{self.port}?smtp=127.0.0.1&from=oms@example.com&to=desk@example.com&mode=insecure"


@pytest.fixture
def hook() -> Iterator[Webhook]:
    made = Webhook()
    yield made
    made.server.shutdown()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    made = Mailbox()
    yield made
    made.controller.stop()


def notify_settings(*urls: str) -> NotifySettings:
    return NotifySettings.from_settings(load_settings(notify={"urls": list(urls), "failing_cycles": 3}))


def test_each_event_is_sent_once_and_a_restart_repeats_none(tmp_path: Path, hook: Webhook, mailbox: Mailbox) -> None:
    """Awaiting approval, a blocked order, kill switch on and off, a finished batch: one message each, to both."""
    oms = Oms(tmp_path, {"OMS_RISK__MAX_ORDER_VALUE": "5000"})
    oms.data.mkdir(parents=True)
    ledger = Ledger.open(f"sqlite:///{oms.data / 'oms.db'}")
    try:
        settings = notify_settings(hook.url, mailbox.url)
        notifier = Notifier(ledger, settings)
        batch = submit(oms, "a", "AAPL,SELL,3", "TLT,BUY,500")  # the buy is worth far more than 5,000: blocked
        assert notifier.run_once() == 2
        titles = hook.titles()
        assert any(t == f"OMS: batch {batch} awaits approval" for t in titles)
        assert any(t.startswith("OMS: order ") and t.endswith("blocked or rejected") for t in titles)
        blocked = next(b for b in hook.received if "blocked" in b["title"])
        assert "ORDER_VALUE_LIMIT" in blocked["message"] or "5000" in blocked["message"].replace(",", "")

        assert oms("approve", batch).returncode == 0
        assert oms("daemon", "--once").returncode in (0, 1)
        assert oms("halt", "--reason", "drill").returncode == 0
        assert oms("resume").returncode == 0
        assert notifier.run_once() == 3
        assert notifier.run_once() == 0
        titles = hook.titles()
        assert titles.count(f"OMS: batch {batch} finished") == 1
        finished = next(b for b in hook.received if b["title"] == f"OMS: batch {batch} finished")
        assert "fill rate" in finished["message"]
        assert "cost $" in finished["message"]
        assert "OMS: kill switch ON (halted)" in titles
        assert "OMS: kill switch OFF (resumed)" in titles
        assert "drill" in next(b["message"] for b in hook.received if "ON (halted)" in b["title"])
        assert len(hook.received) == 5
        assert len(mailbox.messages) == 5

        restarted = Notifier(ledger, settings)
        assert restarted.run_once() == 0
        assert len(hook.received) == 5
        assert len(mailbox.messages) == 5
    finally:
        ledger.close()


def test_history_before_the_first_start_is_not_announced(tmp_path: Path, hook: Webhook) -> None:
    """A batch that waited before the notifier ever ran is not announced; one after it is."""
    oms = Oms(tmp_path)
    oms.data.mkdir(parents=True)
    ledger = Ledger.open(f"sqlite:///{oms.data / 'oms.db'}")
    try:
        submit(oms, "old", "AAPL,SELL,3")
        notifier = Notifier(ledger, notify_settings(hook.url))
        assert notifier.run_once() == 0
        later = submit(oms, "new", "TLT,SELL,10")
        assert notifier.run_once() == 1
        assert hook.titles() == [f"OMS: batch {later} awaits approval"]
    finally:
        ledger.close()


def test_a_failing_cycle_is_told_once_per_streak(tmp_path: Path, hook: Webhook) -> None:
    """Below the threshold nothing; at it one message; the same streak again nothing; a new streak again."""
    ledger = Ledger.open(f"sqlite:///{tmp_path / 'oms.db'}")
    try:
        notifier = Notifier(ledger, notify_settings(hook.url))
        since = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
        assert not notifier.cycle_failing("scheduler:sim:sim", 2, since, "BrokerUnavailable")
        assert notifier.cycle_failing("scheduler:sim:sim", 3, since, "BrokerUnavailable")
        assert not notifier.cycle_failing("scheduler:sim:sim", 4, since, "BrokerUnavailable")
        assert not Notifier(ledger, notify_settings(hook.url)).cycle_failing("scheduler:sim:sim", 5, since, "x")
        assert notifier.cycle_failing("scheduler:sim:sim", 3, since.replace(hour=16), "BrokerUnavailable")
        assert hook.titles() == ["OMS: the cycle of scheduler:sim:sim keeps failing"] * 2
    finally:
        ledger.close()


def test_notify_settings_refuse_what_is_not_an_apprise_url() -> None:
    """`[notify] urls` must be URLs; an unknown key is refused with its name."""
    from oms.config import ConfigError

    with pytest.raises(ConfigError, match=r"notify\.urls"):
        NotifySettings.from_settings(load_settings(notify={"urls": ["not a url"]}))
    with pytest.raises(ConfigError, match=r"notify\.colour"):
        NotifySettings.from_settings(load_settings(notify={"colour": "red"}))


def test_two_processes_never_send_the_same_notice_twice(ledger: Ledger) -> None:
    """Two notifiers on one ledger (SQLite and PostgreSQL) claim a key; the one that loses sends nothing."""
    from oms.web.notify import Notice

    sent: list[str] = []
    settings = NotifySettings(urls=("json://127.0.0.1:9/unused",))
    first = Notifier(ledger, settings, send=lambda title, body: sent.append(title) is None)
    second = Notifier(ledger, settings, send=lambda title, body: sent.append(title) is None)
    notice = Notice("awaiting_approval:b1", "awaiting_approval", "b1", "OMS: batch b1 awaits approval", "body")
    assert first.deliver(notice)
    assert not second.deliver(notice)
    assert not first.deliver(notice)
    assert sent == ["OMS: batch b1 awaits approval"]
    assert first.since == second.since
