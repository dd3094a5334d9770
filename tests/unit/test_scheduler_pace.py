"""The scheduler's pace: fast while anything works at the broker, including orders the cycle has just sent."""

from __future__ import annotations

from oms.execution.engine import CycleReport
from oms.execution.scheduler import is_busy


def test_a_cycle_that_released_a_wave_keeps_the_fast_pace() -> None:
    # The wave's first cycle counts working orders before it releases: 0 working, 9 just submitted.
    assert is_busy(CycleReport(submitted=9, working=0))


def test_an_idle_cycle_slows_down() -> None:
    assert not is_busy(CycleReport())
    assert is_busy(CycleReport(working=1))
