"""Interactive Brokers through TWS or IB Gateway, on ib_async (imported lazily, when a broker connects)."""

from adapters.ibkr.broker import IbkrBroker
from adapters.ibkr.settings import IbkrSettings, create_broker, settings_from_env

__all__ = ["IbkrBroker", "IbkrSettings", "create_broker", "settings_from_env"]
