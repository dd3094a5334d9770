"""The simulator's market clock: real elapsed time, sped up, mapped onto back-to-back regular sessions.

Simulated time is kept as *elapsed session seconds* `e` (a float): session `s` covers `e` in `[s*L, (s+1)*L)` where
`L` is the session length (6.5 hours). Nights, weekends and holidays take no elapsed time, so a paper run on the
simulator works at any hour of any day and a demo at `speed=600` sees a whole session in 39 real seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

NEW_YORK = ZoneInfo("America/New_York")
SESSION_OPEN = time(9, 30)
SESSION_CLOSE = time(16, 0)
SESSION_SECONDS = 6.5 * 3600


def next_weekday(day: date) -> date:
    """Return `day`, or the Monday after it when it falls on a weekend."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def add_weekdays(day: date, count: int) -> date:
    """Return the weekday `count` weekdays after `day` (a weekday)."""
    weeks, rest = divmod(count, 5)
    day += timedelta(weeks=weeks)
    for _ in range(rest):
        day += timedelta(days=1)
        day = next_weekday(day)
    return day


def weekdays_between(start: date, end: date) -> int:
    """Count the weekdays in `[start, end)`; negative when `end` is before `start`."""
    if end < start:
        return -weekdays_between(end, start)
    weeks, rest = divmod((end - start).days, 7)
    count = weeks * 5
    day = start + timedelta(weeks=weeks)
    for _ in range(rest):
        if day.weekday() < 5:
            count += 1
        day += timedelta(days=1)
    return count


@lru_cache(maxsize=1024)
def _opening(first_session: date, session: int) -> datetime:
    """Return the UTC time of a session's open (cached: every report's timestamp needs one)."""
    return datetime.combine(add_weekdays(first_session, session), SESSION_OPEN, NEW_YORK).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class SessionClock:
    """Map wall-clock seconds to elapsed session seconds and elapsed session seconds to UTC datetimes.

    `epoch_wall` is the wall-clock time (POSIX seconds) at which elapsed time was `epoch_elapsed`; `first_session` is
    the date of session 0.
    """

    first_session: date
    epoch_wall: float
    epoch_elapsed: float
    speed: float

    @classmethod
    def from_meta(cls, meta: Mapping[str, str]) -> SessionClock:
        """The clock as the venue's file keeps it (its `meta` table)."""
        return cls(
            first_session=date.fromisoformat(meta["first_session"]),
            epoch_wall=float(meta["epoch_wall"]),
            epoch_elapsed=float(meta["epoch_elapsed"]),
            speed=float(meta["speed"]),
        )

    def since_bound(self, since: datetime) -> float | None:
        """The elapsed time from which reports asked for `since` are kept; None (keep all) when `since` is before
        the epoch, whose mapping was lost when the venue was rebased (a new speed): more reports, never fewer."""
        wall = since.timestamp()
        return None if wall < self.epoch_wall else self.elapsed(wall)

    def elapsed(self, wall: float) -> float:
        """Return the elapsed session seconds at wall-clock time `wall` (never before the epoch)."""
        return self.epoch_elapsed + max(0.0, wall - self.epoch_wall) * self.speed

    def session_of(self, elapsed: float) -> int:
        return int(elapsed // SESSION_SECONDS)

    def session_date(self, session: int) -> date:
        return add_weekdays(self.first_session, session)

    def at(self, elapsed: float) -> datetime:
        """Return the UTC datetime of an elapsed time; a boundary between sessions is the earlier one's close."""
        session = self.session_of(elapsed)
        if session > 0 and elapsed == session * SESSION_SECONDS:
            session -= 1  # what happens at the boundary (DAY expiry) happens at 16:00, not at the next open
        return _opening(self.first_session, session) + timedelta(seconds=elapsed - session * SESSION_SECONDS)

    def close_at(self, session: int) -> datetime:
        """Return the UTC datetime of a session's 16:00 close."""
        return datetime.combine(self.session_date(session), SESSION_CLOSE, NEW_YORK).astimezone(UTC)

    def open_at(self, session: int) -> datetime:
        return _opening(self.first_session, session)

    def to_elapsed(self, moment: datetime) -> float:
        """Return the elapsed time of a datetime; times outside a session clamp to its open or close."""
        local = moment.astimezone(NEW_YORK)
        day = local.date()
        if day.weekday() >= 5:
            return weekdays_between(self.first_session, next_weekday(day)) * SESSION_SECONDS
        session = weekdays_between(self.first_session, day)
        opening = datetime.combine(day, SESSION_OPEN, NEW_YORK)
        within = min(max((local - opening).total_seconds(), 0.0), SESSION_SECONDS)
        return session * SESSION_SECONDS + within
