"""Where the gateway is: the `[ibkr]` table, checked when the settings load.

The environment scheme is the OMS's one (`OMS_IBKR__PORT`); `OMS_IBKR_HOST`, `OMS_IBKR_PORT`, `OMS_IBKR_CLIENT_ID`
and `OMS_IBKR_ACCOUNT` are kept as documented aliases (the canonical name wins when both are set).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from adapters.ibkr.broker import IbkrBroker
    from oms.config import Settings


class IbkrSettings(BaseModel):
    """One TWS / IB Gateway connection."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    env_aliases: ClassVar[dict[str, str]] = {
        "OMS_IBKR_HOST": "host",
        "OMS_IBKR_PORT": "port",
        "OMS_IBKR_CLIENT_ID": "client_id",
        "OMS_IBKR_ACCOUNT": "account",
    }

    host: str = Field(default="127.0.0.1", min_length=1)
    port: int = Field(default=4002, ge=1, le=65_535)  # Gateway paper 4002, live 4001; TWS paper 7497, live 7496
    client_id: int = Field(default=17, ge=0, le=2**31 - 1)
    account: str = ""
    timeout_seconds: float = Field(default=10.0, gt=0, le=600)


def settings_from_env(base: IbkrSettings, environ: Mapping[str, str]) -> IbkrSettings:
    """Overlay OMS_IBKR__* / OMS_IBKR_* variables from `environ` (a test's mapping) with the loader's rules."""
    from oms.config import overlay_environment

    return overlay_environment("ibkr", base, environ)


def create_broker(settings: Settings, *, mode: str = "paper") -> IbkrBroker:
    """The registry entry: an IbkrBroker for these settings and mode ("paper" or "live"), not yet connected."""
    from adapters.ibkr.broker import IbkrBroker

    return IbkrBroker(settings.adapter("ibkr", IbkrSettings), live=mode == "live")
