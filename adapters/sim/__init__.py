"""The simulated venue: the offline default broker for paper mode (see docs/adapters/sim.md)."""

from adapters.sim.broker import SimulatedBroker
from adapters.sim.settings import SimSettings
from adapters.sim.venue import SimVenue

__all__ = ["SimSettings", "SimVenue", "SimulatedBroker"]
