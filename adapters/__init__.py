"""Implementations of `oms.ports`: the simulated venue, manual tickets and the broker SDK adapters.

Only `adapters.registry` names the concrete adapters; the core never imports this package.
"""
