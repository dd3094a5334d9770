"""The simulator's session clock: elapsed session seconds to New York time and back."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from adapters.sim.clock import SESSION_SECONDS, SessionClock, add_weekdays, weekdays_between

NY = ZoneInfo("America/New_York")
CLOCK = SessionClock(first_session=date(2026, 3, 2), epoch_wall=1000.0, epoch_elapsed=1800.0, speed=60.0)


def test_real_time_is_sped_up_from_the_epoch() -> None:
    """Ten real seconds at 60x are ten simulated minutes; time before the epoch does not run backwards."""
    assert CLOCK.elapsed(1010.0) == 1800.0 + 600.0
    assert CLOCK.elapsed(900.0) == 1800.0
    assert CLOCK.at(CLOCK.elapsed(1010.0)) == datetime(2026, 3, 2, 10, 10, tzinfo=NY)


def test_nights_and_weekends_take_no_simulated_time() -> None:
    """The end of Friday's session is followed directly by Monday's open."""
    friday_close = 5 * SESSION_SECONDS  # sessions 0..4 are Monday..Friday
    assert CLOCK.at(friday_close) == datetime(2026, 3, 6, 16, 0, tzinfo=NY)
    assert CLOCK.at(friday_close + 1) == datetime(2026, 3, 9, 9, 30, 1, tzinfo=NY)
    assert CLOCK.close_at(4) == datetime(2026, 3, 6, 16, 0, tzinfo=NY)
    assert CLOCK.open_at(5) == datetime(2026, 3, 9, 9, 30, tzinfo=NY)


def test_times_outside_a_session_clamp_to_its_edges() -> None:
    """Before the open counts as the open, after the close as the close, a weekend as Monday's open."""
    assert CLOCK.to_elapsed(datetime(2026, 3, 3, 8, 0, tzinfo=NY)) == SESSION_SECONDS
    assert CLOCK.to_elapsed(datetime(2026, 3, 3, 20, 0, tzinfo=NY)) == 2 * SESSION_SECONDS
    assert CLOCK.to_elapsed(datetime(2026, 3, 7, 12, 0, tzinfo=NY)) == 5 * SESSION_SECONDS


@given(st.floats(min_value=0, max_value=2_000 * SESSION_SECONDS, allow_nan=False))
def test_elapsed_time_round_trips_through_datetimes(elapsed: float) -> None:
    """Mapping an elapsed time to a datetime and back returns it (to the microsecond)."""
    assert abs(CLOCK.to_elapsed(CLOCK.at(elapsed)) - elapsed) < 1e-5 * max(1.0, elapsed / 1e6)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)), st.integers(min_value=0, max_value=3000))
def test_adding_weekdays_and_counting_them_agree(start: date, count: int) -> None:
    """Counting the weekdays between a weekday and `count` weekdays later gives `count` back."""
    while start.weekday() >= 5:
        start += timedelta(days=1)
    later = add_weekdays(start, count)
    assert later.weekday() < 5
    assert weekdays_between(start, later) == count
