"""Execution: the engine and its cycle (cycle/), child-order algorithms (algos/), reconciliation, the scheduler."""
