"""Each live-trading guard on its own: what passes, what is refused, and the reason code it is refused with."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms.domain.enums import OrderType, Side, TimeInForce
from oms.domain.live_guards import (
    LiveGuardRefused,
    Mode,
    check_connected_account,
    check_endpoint_matches_mode,
    ibkr_port_is_paper,
    require_live_opt_in,
    resolve_supervised,
    submission_log_fields,
)
from oms.ports import OrderRequest

ACCOUNT = "U7654321"


def test_paper_mode_needs_no_opt_in() -> None:
    """Paper mode passes the opt-in guard with live disabled and nothing confirmed."""
    require_live_opt_in(Mode.PAPER, live_enabled=False, configured_account="", confirmation=None)


def test_live_mode_needs_live_enabled_in_config() -> None:
    """Live mode with `live.enabled = false` is refused even with the right confirmation."""
    with pytest.raises(LiveGuardRefused) as refused:
        require_live_opt_in(Mode.LIVE, live_enabled=False, configured_account=ACCOUNT, confirmation=ACCOUNT)
    assert refused.value.code == "LIVE_NOT_ENABLED"


def test_live_mode_needs_the_account_typed_back() -> None:
    """Live mode without a confirmation, or with a different account typed, is refused."""
    for typed in (None, "", "U0000000"):
        with pytest.raises(LiveGuardRefused) as refused:
            require_live_opt_in(Mode.LIVE, live_enabled=True, configured_account=ACCOUNT, confirmation=typed)
        assert refused.value.code == "LIVE_NOT_CONFIRMED"
        assert f"--confirm-account {ACCOUNT}" in refused.value.message


def test_live_mode_needs_a_configured_account() -> None:
    """Live mode with no account under [live] is refused before anything else is asked."""
    with pytest.raises(LiveGuardRefused) as refused:
        require_live_opt_in(Mode.LIVE, live_enabled=True, configured_account="", confirmation="")
    assert refused.value.code == "LIVE_NO_ACCOUNT"


def test_live_mode_with_everything_in_place_passes() -> None:
    """Live enabled, account configured and typed back (surrounding blanks ignored): the way is clear."""
    require_live_opt_in(Mode.LIVE, live_enabled=True, configured_account=ACCOUNT, confirmation=f" {ACCOUNT}\n")


def test_connected_account_must_be_the_configured_one() -> None:
    """A broker logged in to another account is refused in either mode; the configured one passes."""
    check_connected_account(Mode.LIVE, configured_account=ACCOUNT, connected_accounts=[ACCOUNT])
    for mode in Mode:
        with pytest.raises(LiveGuardRefused) as refused:
            check_connected_account(mode, configured_account=ACCOUNT, connected_accounts=["U1111111"])
        assert refused.value.code == "ACCOUNT_MISMATCH"
        assert "U1111111" in refused.value.message


def test_connected_account_in_live_mode_needs_a_configured_account() -> None:
    """Live mode never trades whatever account the broker happens to be logged in to."""
    with pytest.raises(LiveGuardRefused) as refused:
        check_connected_account(Mode.LIVE, configured_account="", connected_accounts=[ACCOUNT])
    assert refused.value.code == "LIVE_NO_ACCOUNT"
    check_connected_account(Mode.PAPER, configured_account="", connected_accounts=["DU1234567"])


@pytest.mark.parametrize("port", [7497, 4002])
def test_paper_port_in_live_mode_is_refused(port: int) -> None:
    """TWS and Gateway paper ports are refused when the mode is live."""
    with pytest.raises(LiveGuardRefused) as refused:
        check_endpoint_matches_mode(Mode.LIVE, endpoint_is_paper=ibkr_port_is_paper(port), endpoint=f"port {port}")
    assert refused.value.code == "PAPER_ENDPOINT_IN_LIVE_MODE"
    check_endpoint_matches_mode(Mode.PAPER, endpoint_is_paper=ibkr_port_is_paper(port), endpoint=f"port {port}")


@pytest.mark.parametrize("port", [7496, 4001])
def test_live_port_in_paper_mode_is_refused(port: int) -> None:
    """TWS and Gateway live ports are refused when the mode is paper."""
    with pytest.raises(LiveGuardRefused) as refused:
        check_endpoint_matches_mode(Mode.PAPER, endpoint_is_paper=ibkr_port_is_paper(port), endpoint=f"port {port}")
    assert refused.value.code == "LIVE_ENDPOINT_IN_PAPER_MODE"
    check_endpoint_matches_mode(Mode.LIVE, endpoint_is_paper=ibkr_port_is_paper(port), endpoint=f"port {port}")


def test_a_hand_chosen_port_is_not_judged() -> None:
    """A port that is neither IB default (a tunnel, a test gateway) passes in both modes."""
    assert ibkr_port_is_paper(41234) is None
    for mode in Mode:
        check_endpoint_matches_mode(mode, endpoint_is_paper=None, endpoint="port 41234")


def test_supervised_is_the_default_in_live_mode_only() -> None:
    """Without a choice, live runs are supervised and paper runs are not; an explicit choice wins."""
    assert resolve_supervised(Mode.LIVE, None) is True
    assert resolve_supervised(Mode.PAPER, None) is False
    assert resolve_supervised(Mode.LIVE, False) is False
    assert resolve_supervised(Mode.PAPER, True) is True


def test_every_submission_is_logged_with_its_account() -> None:
    """The submission log fields name the account, the mode and the order."""
    request = OrderRequest("b1-0001", "AAPL", Side.BUY, Decimal(10), OrderType.LIMIT, TimeInForce.DAY, Decimal("190"))
    fields = submission_log_fields("ibkr", ACCOUNT, True, request)
    assert fields["account"] == ACCOUNT
    assert fields["live"] is True
    assert (fields["client_order_id"], fields["quantity"], fields["limit_price"]) == ("b1-0001", "10", "190")
