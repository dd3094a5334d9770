"""The dashboard's security primitives: signed sessions expire and resist tampering, CSRF binds to a session,
the login limiter counts per address in a sliding minute."""

from __future__ import annotations

from oms.web.security import OPERATOR, SESSION_SECONDS, VIEWER, LoginLimiter, Signer, Tokens


def test_a_session_carries_its_role_until_it_expires() -> None:
    """A fresh cookie gives its role; after SESSION_SECONDS it gives none."""
    signer = Signer()
    cookie = signer.session(VIEWER, now=1_000_000)
    assert signer.role(cookie, now=1_000_000 + 60) == VIEWER
    assert signer.role(cookie, now=1_000_000 + SESSION_SECONDS + 1) is None


def test_a_tampered_or_foreign_session_is_refused() -> None:
    """Changing the role inside the cookie, or a cookie signed by another server, yields no role."""
    signer = Signer()
    cookie = signer.session(VIEWER)
    assert signer.role(cookie.replace(VIEWER, OPERATOR, 1)) is None
    assert Signer().role(cookie) is None
    assert signer.role("") is None
    assert signer.role("operator.1.x.") is None


def test_csrf_tokens_bind_to_one_session() -> None:
    """The CSRF token of one session does not pass for another, nor does an empty one."""
    signer = Signer()
    first, second = signer.session(OPERATOR), signer.session(OPERATOR)
    assert signer.csrf_ok(first, signer.csrf(first))
    assert not signer.csrf_ok(second, signer.csrf(first))
    assert not signer.csrf_ok(first, "")
    assert not signer.csrf_ok("", signer.csrf(""))


def test_the_login_limiter_counts_per_address_in_a_sliding_minute() -> None:
    """Three failures block that address only; a minute later it may try again; success clears the count."""
    limiter = LoginLimiter(3)
    for second in range(3):
        limiter.failed("10.0.0.1", now=100 + second)
    assert limiter.retry_after("10.0.0.1", now=103) > 0
    assert limiter.retry_after("10.0.0.2", now=103) == 0
    assert limiter.retry_after("10.0.0.1", now=161) == 0
    limiter.failed("10.0.0.3", now=0)
    limiter.succeeded("10.0.0.3")
    assert limiter.retry_after("10.0.0.3", now=1) == 0


def test_tokens_grant_their_role_and_nothing_else() -> None:
    """The operator token is operator, the viewer token viewer, anything else (or empty) nothing."""
    tokens = Tokens("o" * 32, "v" * 32)
    assert tokens.role_of("o" * 32) == OPERATOR
    assert tokens.role_of("v" * 32) == VIEWER
    assert tokens.role_of("o" * 31) is None
    assert tokens.role_of("") is None
