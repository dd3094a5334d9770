"""Who gets in: tokens, roles, session cookies, CSRF, the login limiter, the bind check, headers, the audit trail."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from oms.config import ConfigError
from oms.web.security import TOKENS_FILE, load_tokens
from oms.web.settings import ServeSettings, check_bind
from tests.integration.web.support import OPERATOR_TOKEN, VIEWER_TOKEN, Site, csrf_of, make_site, submit


@pytest.fixture
def site(tmp_path: Path) -> Site:
    made = make_site(tmp_path)
    made.batch = submit(made.oms, "a", "TLT,SELL,10")  # type: ignore[attr-defined]
    yield made
    made.ledger.close()


def concrete_routes(site: Site) -> list[tuple[str, str]]:
    """Every (method, path) the app serves, path parameters filled with the real batch and order."""
    batch = site.batch  # type: ignore[attr-defined]
    order = site.client(OPERATOR_TOKEN).get(f"/api/batches/{batch}").json()["waves"][0]["orders"][0]["id"]
    from oms.web import api, pages

    found = [("GET", "/api/openapi.json")]
    for route in [*pages.router.routes, *api.router.routes]:
        path = getattr(route, "path", "")
        for method in sorted(getattr(route, "methods", None) or []):
            if method == "HEAD" or path.startswith("/static"):
                continue
            found.append((method, path.replace("{batch_id}", batch).replace("{order_id}", order)))
    return found


def test_without_a_token_every_route_but_the_login_page_answers_401(site: Site) -> None:
    """No token, no cookie: 401 on every page, API route, the OpenAPI schema and the event feed; /login opens."""
    anonymous = site.client()
    routes = concrete_routes(site)
    assert ("GET", "/api/events") in routes
    assert ("GET", "/api/openapi.json") in routes
    for method, path in routes:
        status = anonymous.request(method, path).status_code
        assert status == (200 if path == "/login" and method == "GET" else 401 if path != "/login" else 403), (
            method,
            path,
            status,
        )
    assert anonymous.get("/api/batches", headers={"Authorization": "Bearer not-a-token"}).status_code == 401


def test_a_viewer_reads_everything_and_gets_403_on_every_action(site: Site) -> None:
    """The viewer token reads the batch list and the batch, and is refused every POST (API and forms)."""
    viewer = site.client(VIEWER_TOKEN)
    assert viewer.get("/api/batches").status_code == 200
    actions = [(m, p) for m, p in concrete_routes(site) if m == "POST" and p not in ("/login", "/logout")]
    assert len(actions) == 10  # 5 forms, 5 API actions
    for method, path in actions:
        assert viewer.request(method, path, json={}).status_code == 403, path
    browser = site.browser(VIEWER_TOKEN)
    page = browser.get(f"/batches/{site.batch}")  # type: ignore[attr-defined]
    assert page.status_code == 200
    assert "Approve" not in page.text
    refused = browser.post(f"/batches/{site.batch}/approve", data={"csrf": csrf_of(page.text)})  # type: ignore[attr-defined]
    assert refused.status_code == 403
    assert site.client(OPERATOR_TOKEN).get(f"/api/batches/{site.batch}").json()["status"] == "awaiting_approval"  # type: ignore[attr-defined]


def test_a_missing_or_forged_csrf_token_is_refused_and_the_right_one_works(site: Site) -> None:
    """A logged-in operator's form without its CSRF token, or with a forged one, changes nothing."""
    browser = site.browser()
    batch = site.batch  # type: ignore[attr-defined]
    page = browser.get(f"/batches/{batch}")
    assert browser.post(f"/batches/{batch}/approve", data={}).status_code == 403
    assert browser.post(f"/batches/{batch}/approve", data={"csrf": "0" * 64}).status_code == 403
    assert browser.post("/api/halt", json={}, headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert site.client(OPERATOR_TOKEN).get(f"/api/batches/{batch}").json()["status"] == "awaiting_approval"
    done = browser.post(f"/batches/{batch}/approve", data={"csrf": csrf_of(page.text)})
    assert done.status_code == 303
    assert site.client(OPERATOR_TOKEN).get(f"/api/batches/{batch}").json()["status"] == "executing"


def test_the_session_cookie_is_httponly_and_samesite_strict_and_the_login_form_needs_its_csrf(site: Site) -> None:
    """Login sets an HttpOnly, SameSite=Strict cookie; a login post without the form's CSRF token is refused."""
    client = site.client()
    page = client.get("/login")
    assert client.post("/login", data={"token": OPERATOR_TOKEN, "csrf": "x"}).status_code == 403
    answer = client.post("/login", data={"token": OPERATOR_TOKEN, "csrf": csrf_of(page.text)})
    cookie = answer.headers["set-cookie"]
    assert "oms_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert OPERATOR_TOKEN not in cookie


def test_failed_logins_are_rate_limited(site: Site) -> None:
    """Five wrong tokens from one address, then even the right token waits (429 with Retry-After)."""
    client = site.client()
    for _ in range(5):
        page = client.get("/login")
        assert client.post("/login", data={"token": "wrong" * 4, "csrf": csrf_of(page.text)}).status_code == 401
    page = client.get("/login")
    blocked = client.post("/login", data={"token": OPERATOR_TOKEN, "csrf": csrf_of(page.text)})
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert site.client(OPERATOR_TOKEN).get("/api/batches").status_code == 429


def test_every_response_carries_a_restrictive_csp_and_no_page_shows_a_token(site: Site) -> None:
    """CSP forbids inline script and other origins; tokens never appear in a page or a response."""
    browser = site.browser()
    for path in ("/", f"/batches/{site.batch}", "/halt", "/api/batches", "/login"):  # type: ignore[attr-defined]
        answer = browser.get(path)
        policy = answer.headers["content-security-policy"]
        assert "default-src 'none'" in policy
        assert "script-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert OPERATOR_TOKEN not in answer.text
        assert VIEWER_TOKEN not in answer.text
    assert browser.get("/api/openapi.json").json()["paths"]["/api/batches/{batch_id}/approve"]


def test_every_action_is_in_the_audit_trail_with_role_and_client_address(site: Site) -> None:
    """Approve, halt and resume through the API each leave an audit row naming the role and the address."""
    operator = site.client(OPERATOR_TOKEN)
    batch = site.batch  # type: ignore[attr-defined]
    assert operator.post(f"/api/batches/{batch}/approve", json={"all": True}).status_code == 200
    assert operator.post("/api/halt", json={"reason": "drill"}).status_code == 200
    assert operator.get("/api/batches").json()["halts"][0]["reason"] == "drill"
    assert operator.post("/api/resume").status_code == 200
    with site.ledger.reading() as uow:
        rows = [r for r in reversed(uow.audit.entries(limit=1000)) if r.action.startswith("web.")]
    assert [r.action for r in rows] == ["web.approve", "web.halt", "web.resume"]
    assert all(r.details["role"] == "operator" and r.details["client"] == "testclient" for r in rows)
    assert operator.get("/api/batches").json()["halts"] == []


def test_tokens_are_generated_once_and_stored_user_only(tmp_path: Path) -> None:
    """First start generates both tokens in a 0600 file; the second start reads the same ones; settings win."""
    first = load_tokens(tmp_path)
    assert first.created
    assert len(first.operator) >= 32
    assert first.operator != first.viewer
    assert stat.S_IMODE((tmp_path / TOKENS_FILE).stat().st_mode) == 0o600
    again = load_tokens(tmp_path)
    assert not again.created
    assert again.operator == first.operator
    assert load_tokens(tmp_path, operator=OPERATOR_TOKEN).operator == OPERATOR_TOKEN


def test_a_non_loopback_address_needs_tls_or_insecure(tmp_path: Path) -> None:
    """0.0.0.0 without certificate and key refuses; with --insecure, or TLS files, or on loopback it is allowed."""
    with pytest.raises(ConfigError, match="not a loopback address"):
        check_bind(ServeSettings(host="0.0.0.0"))
    check_bind(ServeSettings(host="0.0.0.0", insecure=True))
    check_bind(ServeSettings(host="::1"))
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    cert.write_text("x")
    key.write_text("x")
    check_bind(ServeSettings(host="192.0.2.7", tls_cert=str(cert), tls_key=str(key)))
    with pytest.raises(ConfigError, match=r"serve\.tls_key"):
        check_bind(ServeSettings(host="192.0.2.7", tls_cert=str(cert), tls_key=str(tmp_path / "none.pem")))


def test_oms_serve_refuses_a_public_address_without_tls_in_one_line(tmp_path: Path) -> None:
    """`oms serve --host 0.0.0.0` exits 2 with one line and writes no token file."""
    site = make_site(tmp_path)
    site.ledger.close()
    result = site.oms("serve", "--host", "0.0.0.0", "--port", "0", timeout=30)
    assert result.returncode == 2, result.stderr
    assert re.fullmatch(r"error: --host: 0\.0\.0\.0 is not a loopback address.*\n", result.stderr)
    assert not (site.oms.data / TOKENS_FILE).exists()


def test_oms_serve_prints_generated_tokens_once_and_they_work(tmp_path: Path) -> None:
    """First start prints both tokens and stores them 0600; a restart prints none and accepts the same token."""
    import time

    import httpx

    from tests.integration.web.test_dashboard_chromium import free_port, stop, wait_until_up

    site = make_site(tmp_path)
    site.ledger.close()
    outputs = []
    for _ in range(2):
        port = free_port()
        server = site.oms.start("serve", "--port", str(port))
        try:
            wait_until_up(f"http://127.0.0.1:{port}/login")
            time.sleep(0.3)
        finally:
            stop(server)
        out, _err = server.communicate(timeout=10)
        outputs.append((out, port))
    first, second = outputs[0][0], outputs[1][0]
    stored = (site.oms.data / TOKENS_FILE).read_text()
    operator = re.search(r"operator: (\S+)", first)
    assert operator is not None
    assert operator.group(1) in stored
    assert "viewer:" in first
    assert "serving on http://127.0.0.1:" in first
    assert "operator:" not in second
    assert "serving on" in second
    assert stat.S_IMODE((site.oms.data / TOKENS_FILE).stat().st_mode) == 0o600
    port = free_port()
    server = site.oms.start("serve", "--port", str(port))
    try:
        wait_until_up(f"http://127.0.0.1:{port}/login")
        headers = {"Authorization": f"Bearer {operator.group(1)}"}
        assert httpx.get(f"http://127.0.0.1:{port}/api/batches", headers=headers).status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/api/batches").status_code == 401
    finally:
        stop(server)


def test_an_unexpected_error_answers_500_in_one_line_without_a_traceback(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure inside a route reaches the person as one sentence naming the log, never as a traceback."""
    from oms.web import queries

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk on fire at /secret/path")

    monkeypatch.setattr(queries, "batch_list", broken)
    answer = site.client(OPERATOR_TOKEN).get("/api/batches")
    assert answer.status_code == 500
    assert answer.json() == {"detail": "internal error (RuntimeError); the OMS log has the details"}
    assert "Traceback" not in answer.text
