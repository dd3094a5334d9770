"""Where the gateway is: `[ibkr]` in the config, overridden by OMS_IBKR_HOST / _PORT / _CLIENT_ID / _ACCOUNT."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from oms.config import ConfigError, IbkrSettings

if TYPE_CHECKING:
    from adapters.ibkr.broker import IbkrBroker
    from oms.config import Settings

_ENV = {
    "host": "OMS_IBKR_HOST",
    "port": "OMS_IBKR_PORT",
    "client_id": "OMS_IBKR_CLIENT_ID",
    "account": "OMS_IBKR_ACCOUNT",
}


def settings_from_env(base: IbkrSettings, environ: Mapping[str, str] | None = None) -> IbkrSettings:
    """Overlay the OMS_IBKR_* variables on the configured settings; a malformed number names its variable."""
    environ = os.environ if environ is None else environ
    updates: dict[str, object] = {}
    for key, variable in _ENV.items():
        raw = environ.get(variable)
        if raw is None or raw == "":
            continue
        if key in ("port", "client_id"):
            try:
                updates[key] = int(raw)
            except ValueError:
                raise ConfigError(f"{variable}: not a whole number: {raw!r}") from None
        else:
            updates[key] = raw
    return base.model_copy(update=updates)


def create_broker(settings: Settings, *, mode: str = "paper") -> IbkrBroker:
    """The registry entry: an IbkrBroker for these settings and mode ("paper" or "live"), not yet connected."""
    from adapters.ibkr.broker import IbkrBroker

    return IbkrBroker(settings_from_env(settings.ibkr), live=mode == "live")
