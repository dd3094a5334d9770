"""Execution: the engine, child-order algorithms, reconciliation and the scheduler."""
