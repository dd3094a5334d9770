"""A supervised batch in a private ledger, made by the real `oms submit`, and the dashboard app over it."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from oms.config import load_settings
from oms.store import Ledger
from oms.web.app import create_app
from oms.web.security import Tokens
from oms.web.settings import ServeSettings
from tests.e2e.oms_cli import Oms, trades

OPERATOR_TOKEN = "op-" + "o" * 29
VIEWER_TOKEN = "vw-" + "v" * 29


def submit(oms: Oms, name: str, *rows: str) -> str:
    """`oms submit` a supervised batch (held for approval) and return its id."""
    result = oms("submit", trades(oms.home / f"{name}.csv", *rows), "--json")
    assert result.returncode == 5, result.stderr  # waits for a person (issue 12: exit codes as in the README)
    return str(json.loads(result.stdout)["id"])


@dataclass
class Site:
    oms: Oms
    ledger: Ledger
    app: Any

    def client(self, token: str | None = None) -> TestClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return TestClient(self.app, headers=headers, follow_redirects=False)

    def browser(self, token: str = OPERATOR_TOKEN) -> TestClient:
        """A client logged in through the login form, holding the session cookie."""
        client = self.client()
        page = client.get("/login")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None
        answer = client.post("/login", data={"token": token, "csrf": csrf.group(1)})
        assert answer.status_code == 303, answer.text
        return client


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None, "no CSRF token on the page"
    return found.group(1)


def make_site(home: Path) -> Site:
    oms = Oms(home)
    oms.data.mkdir(parents=True, exist_ok=True)
    ledger = Ledger.open(f"sqlite:///{oms.data / 'oms.db'}")
    settings = load_settings(data_dir=str(oms.data))
    serve = ServeSettings(token=OPERATOR_TOKEN, viewer_token=VIEWER_TOKEN, login_attempts=5)
    app = create_app(settings, ledger, serve, Tokens(OPERATOR_TOKEN, VIEWER_TOKEN))
    return Site(oms, ledger, app)
