"""Is the market open? The exchange calendar (exchange_calendars, XNYS by default) or a venue's own clock.

exchange_calendars knows the holidays, the half days (13:00 close) and daylight saving; pandas is imported only
when a calendar is first needed, so the CLI starts fast.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from oms.config.errors import ConfigError
from oms.ports import MarketClock

# Extended hours around the regular session, as US venues run them: 04:00 pre-market, and four hours after the
# close (20:00, or 17:00 on a half day).
PRE_MARKET = timedelta(hours=5, minutes=30)
AFTER_HOURS = timedelta(hours=4)


@dataclass(frozen=True, slots=True)
class SessionState:
    """The market at one moment: open or not, the next open and close, and why it is closed."""

    at: datetime
    is_open: bool
    next_open: datetime | None
    next_close: datetime | None
    in_extended_hours: bool = False
    early_close: datetime | None = None  # today's close when it is earlier than usual (a half day)
    closed_because: str = ""  # "weekend", "holiday", "before the open", "after the close", "the venue is closed"
    timezone: str = "America/New_York"

    def local(self, at: datetime) -> str:
        """Render a time in the market's timezone, with UTC alongside: 2026-11-27 09:30 EST (14:30 UTC)."""
        here = at.astimezone(ZoneInfo(self.timezone))
        return f"{here:%Y-%m-%d %H:%M %Z} ({at.astimezone(UTC):%H:%M} UTC)"


class TradingCalendar:
    """The sessions of one exchange (an exchange_calendars code such as XNYS)."""

    def __init__(self, exchange: str = "XNYS") -> None:
        self.exchange = exchange
        self._calendar = _load(exchange)
        self.timezone = str(self._calendar.tz)

    def state(self, at: datetime) -> SessionState:
        """Describe the regular session at `at` (timezone-aware)."""
        with _pandas_deprecations_hidden():
            return self._state(at)

    def _state(self, at: datetime) -> SessionState:
        import pandas as pd

        cal = self._calendar
        minute = pd.Timestamp(at).tz_convert("UTC").floor("min")
        is_open = bool(cal.is_open_on_minute(minute))
        next_open = cal.next_open(minute).to_pydatetime()
        next_close = cal.next_close(minute).to_pydatetime()
        local_date = at.astimezone(ZoneInfo(self.timezone)).date()
        local_day = pd.Timestamp(local_date)
        early_close = None
        in_extended = False
        closed_because = ""
        if cal.is_session(local_day):
            session_open = cal.session_open(local_day).to_pydatetime()
            session_close = cal.session_close(local_day).to_pydatetime()
            if local_day in cal.early_closes:
                early_close = session_close
            if not is_open:
                closed_because = "before the open" if at < session_open else "after the close"
                in_extended = session_open - PRE_MARKET <= at < session_close + AFTER_HOURS
        else:
            closed_because = "weekend" if local_date.weekday() >= 5 else "holiday"
        return SessionState(
            at=at,
            is_open=is_open,
            next_open=next_open,
            next_close=next_close,
            in_extended_hours=in_extended,
            early_close=early_close,
            closed_because=closed_because,
            timezone=self.timezone,
        )


def venue_state(clock: MarketClock, calendar: TradingCalendar | None) -> SessionState:
    """Describe the session as the venue's clock reports it; the calendar only adds the extended-hours window."""
    extended = False
    timezone = "America/New_York"
    next_open, next_close = clock.next_open, clock.next_close
    if calendar is not None:
        timezone = calendar.timezone
        exchange = calendar.state(clock.at)
        extended = not clock.is_open and exchange.in_extended_hours
        # A clock that does not say when it opens next borrows the exchange's answer.
        next_open = next_open or exchange.next_open
        next_close = next_close or exchange.next_close
    return SessionState(
        at=clock.at,
        is_open=clock.is_open,
        next_open=next_open,
        next_close=next_close,
        in_extended_hours=extended,
        closed_because="" if clock.is_open else "the venue is closed",
        timezone=timezone,
    )


@contextmanager
def _pandas_deprecations_hidden() -> Iterator[None]:
    # exchange_calendars still reads DatetimeIndex.values, which newer pandas deprecates on every call; the
    # warning is about their code, not ours, and would otherwise flood every log and test report.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"pandas\.")
        yield


@lru_cache(maxsize=4)
def _load(exchange: str) -> Any:
    with _pandas_deprecations_hidden():
        return _build(exchange)


def _build(exchange: str) -> Any:
    import exchange_calendars
    import pandas as pd

    # From 2000 to two years ahead: wide enough for any fill history and any order placed this year or next.
    end = pd.Timestamp(date.today()) + pd.DateOffset(years=2)  # noqa: DTZ011  (a calendar date, no time)
    try:
        return exchange_calendars.get_calendar(exchange, start="2000-01-01", end=end)
    except exchange_calendars.errors.InvalidCalendarName:
        known = "an exchange_calendars code (XNYS, XLON, ...)"
        raise ConfigError(f"[risk] exchange: {exchange!r} is not {known}") from None
