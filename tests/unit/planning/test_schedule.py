"""The `[schedule]` rule: a crontab line in exchange time, skipping holidays and half-day afternoons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from oms.planning.schedule import RebalanceSchedule
from oms.planning.settings import ScheduleSettings
from oms.risk.calendar import TradingCalendar

NY = ZoneInfo("America/New_York")


def ny(*args: int) -> datetime:
    return datetime(*args, tzinfo=NY)


@pytest.fixture(scope="module")
def calendar() -> TradingCalendar:
    return TradingCalendar("XNYS")


def test_the_rule_is_read_in_exchange_time_whatever_the_host_zone(calendar: TradingCalendar) -> None:
    schedule = RebalanceSchedule("0 10 * * mon-fri", calendar)
    first = schedule.after(ny(2026, 7, 6, 9, 0))  # a Monday in summer (EDT)
    assert first == ny(2026, 7, 6, 10, 0)
    assert first.astimezone(UTC).hour == 14
    winter = schedule.after(ny(2026, 12, 7, 9, 0))
    assert winter.astimezone(UTC).hour == 15  # EST


def test_holidays_and_weekends_are_skipped(calendar: TradingCalendar) -> None:
    schedule = RebalanceSchedule("0 10 * * *", calendar)  # every day, weekends included
    after_christmas_eve = schedule.after(ny(2026, 12, 24, 12, 0))
    assert after_christmas_eve == ny(2026, 12, 28, 10, 0)  # 25th holiday, 26-27 weekend
    reasons = {why for _, why in schedule.skipped}
    assert reasons == {"holiday", "weekend"}


def test_a_half_days_afternoon_is_skipped_but_its_morning_is_not(calendar: TradingCalendar) -> None:
    afternoon = RebalanceSchedule("30 14 * * mon-fri", calendar)  # 14:30, after the 13:00 early close
    assert afternoon.after(ny(2026, 11, 27, 9, 0)) == ny(2026, 11, 30, 14, 30)  # the day after Thanksgiving skipped
    assert afternoon.skipped[0][1] == "after a half day's early close"
    morning = RebalanceSchedule("0 10 * * mon-fri", calendar)
    assert morning.after(ny(2026, 11, 27, 9, 0)) == ny(2026, 11, 27, 10, 0)


def test_due_follows_whatever_clock_it_is_given(calendar: TradingCalendar) -> None:
    """A venue clock that runs ahead (the simulator's) fires the rule as its own time passes it."""
    schedule = RebalanceSchedule("0 10 * * mon-fri", calendar)
    start = ny(2026, 12, 7, 9, 30)
    assert schedule.due(start) is None  # the first look sets up the next firing
    assert schedule.due(start + timedelta(minutes=29)) is None
    assert schedule.due(start + timedelta(minutes=31)) == ny(2026, 12, 7, 10, 0)
    assert schedule.due(start + timedelta(minutes=40)) is None  # fires once
    assert schedule.due(ny(2026, 12, 8, 10, 0)) == ny(2026, 12, 8, 10, 0)


def test_a_bad_rule_is_a_setting_error() -> None:
    with pytest.raises(ValidationError, match="crontab"):
        ScheduleSettings(cron="every day at ten")
    with pytest.raises(ValidationError):
        ScheduleSettings(approval="sometimes")  # type: ignore[arg-type]
