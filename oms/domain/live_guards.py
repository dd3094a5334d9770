"""Live-trading guards: pure checks that stand between a person and a real-money account.

They apply to every broker that can trade live (Interactive Brokers, Alpaca). Each returns nothing when the way is
clear and raises `LiveGuardRefused` with a stable reason code and one line for the person otherwise. The CLI runs
them in this order: `require_live_opt_in` before connecting, `check_endpoint_matches_mode` on the configured
endpoint, `check_connected_account` once the broker says which account it is; `resolve_supervised` decides the
run's default; `submission_log_fields` is what every submission is logged with.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from oms.ports import OrderRequest


class Mode(StrEnum):
    PAPER = "paper"
    LIVE = "live"


class LiveGuardRefused(Exception):
    """A live-trading guard said no. `code` is stable; the message is one line a person can act on."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# Interactive Brokers' default API ports: TWS and IB Gateway, paper and live.
IBKR_PAPER_PORTS = frozenset({7497, 4002})
IBKR_LIVE_PORTS = frozenset({7496, 4001})


def require_live_opt_in(mode: Mode, *, live_enabled: bool, configured_account: str, confirmation: str | None) -> None:
    """Live needs `--mode live`, `live.enabled = true` in the user's config and the account id typed back.

    `confirmation` is what the person typed at the prompt, or the value of `--confirm-account` for unattended
    supervised runs; None means nobody confirmed.
    """
    if mode is not Mode.LIVE:
        return
    if not live_enabled:
        raise LiveGuardRefused(
            "LIVE_NOT_ENABLED", "live trading is off: set `enabled = true` under [live] in your own config file"
        )
    if not configured_account:
        raise LiveGuardRefused("LIVE_NO_ACCOUNT", "live trading needs the account id under [live] account")
    if confirmation is None or confirmation.strip() != configured_account:
        raise LiveGuardRefused(
            "LIVE_NOT_CONFIRMED",
            f"live trading needs the account id typed back (or --confirm-account {configured_account})",
        )


def check_connected_account(mode: Mode, *, configured_account: str, connected_accounts: list[str]) -> None:
    """The broker's account must be the configured one (in live mode, always; in paper mode, when one is set)."""
    if not configured_account:
        if mode is Mode.LIVE:
            raise LiveGuardRefused("LIVE_NO_ACCOUNT", "live trading needs the account id under [live] account")
        return
    if configured_account not in connected_accounts:
        shown = ", ".join(connected_accounts) or "none"
        raise LiveGuardRefused(
            "ACCOUNT_MISMATCH", f"the broker is logged in to {shown}, not the configured account {configured_account}"
        )


def ibkr_port_is_paper(port: int) -> bool | None:
    """True for IB's paper ports, False for its live ports, None for a port chosen by hand."""
    if port in IBKR_PAPER_PORTS:
        return True
    if port in IBKR_LIVE_PORTS:
        return False
    return None


def check_endpoint_matches_mode(mode: Mode, *, endpoint_is_paper: bool | None, endpoint: str) -> None:
    """Refuse a paper endpoint in live mode and a live endpoint in paper mode; an unknown one passes."""
    if endpoint_is_paper is None:
        return
    if mode is Mode.LIVE and endpoint_is_paper:
        raise LiveGuardRefused("PAPER_ENDPOINT_IN_LIVE_MODE", f"{endpoint} is a paper-trading endpoint; mode is live")
    if mode is Mode.PAPER and not endpoint_is_paper:
        raise LiveGuardRefused(
            "LIVE_ENDPOINT_IN_PAPER_MODE", f"{endpoint} is a live-trading endpoint; use --mode live to trade live"
        )


def resolve_supervised(mode: Mode, requested: bool | None) -> bool:
    """Whether the run is supervised (each wave approved by a person): the default in live mode."""
    if requested is not None:
        return requested
    return mode is Mode.LIVE


def submission_log_fields(broker: str, account: str, live: bool, request: OrderRequest) -> dict[str, Any]:
    """The fields every submission is logged with; the account is always among them."""
    return {
        "broker": broker,
        "account": account,
        "live": live,
        "client_order_id": request.client_order_id,
        "symbol": request.symbol,
        "side": str(request.side),
        "quantity": str(request.quantity),
        "order_type": str(request.order_type),
        "limit_price": None if request.limit_price is None else str(request.limit_price),
    }
