"""The Alpaca adapter (paper by default): the broker port on alpaca-py. See docs/adapters/alpaca.md.

Importing this package does not import alpaca-py; that happens when a broker connects.
"""

from adapters.alpaca.broker import AlpacaBroker
from adapters.alpaca.settings import AlpacaConfigError, AlpacaConnection, AlpacaOptions, AlpacaSettings

__all__ = ["AlpacaBroker", "AlpacaConfigError", "AlpacaConnection", "AlpacaOptions", "AlpacaSettings"]
