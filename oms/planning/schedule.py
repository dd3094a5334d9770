"""When `oms daemon` rebalances by itself: the `[schedule]` table and the exchange-time cron rule.

The rule is a crontab line (minute hour day month day-of-week) read in the exchange's time zone by APScheduler's
`CronTrigger`. A firing time is skipped when the exchange is closed that day (weekend, holiday) or the session
closes early and the time is at or after the early close (a half day's afternoon). Time is the venue's when the
venue has a clock of its own (the simulator's sped-up sessions), else the wall clock; the caller passes it in.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from oms.config import ConfigError

EXCHANGE_TIME = ZoneInfo("America/New_York")


class Sessions(Protocol):
    """What the schedule needs of an exchange calendar (oms.risk.calendar.TradingCalendar has it)."""

    def state(self, at: datetime) -> object: ...


class RebalanceSchedule:
    """Fires at the rule's times that fall in a full session's trading day; `due(now)` says when one has come."""

    def __init__(self, cron: str, calendar: Sessions | None = None) -> None:
        from apscheduler.triggers.cron import CronTrigger

        self.trigger = CronTrigger.from_crontab(cron, timezone=EXCHANGE_TIME)
        self.calendar = calendar
        self.next: datetime | None = None
        self.skipped: list[tuple[datetime, str]] = []

    def due(self, now: datetime) -> datetime | None:
        """The firing time that has come at `now` (then the next one is set up), else None."""
        if self.next is None:
            self.next = self.after(now)
            return None
        if now < self.next:
            return None
        fired = self.next
        self.next = self.after(max(now, fired))
        return fired

    def after(self, moment: datetime) -> datetime:
        """The first firing time strictly after `moment` that is not skipped."""
        candidate = self._next(moment)
        for _ in range(400):
            why = self.skip_reason(candidate)
            if not why:
                return candidate
            self.skipped.append((candidate, why))
            candidate = self._next(candidate)
        raise ConfigError("[schedule] cron: no firing time falls in a trading session in the next 400 tries")

    def skip_reason(self, at: datetime) -> str:
        if self.calendar is None:
            return ""
        state = self.calendar.state(at)
        closed = getattr(state, "closed_because", "")
        if closed in ("weekend", "holiday"):
            return closed
        early = getattr(state, "early_close", None)
        if early is not None and at >= early:
            return "after a half day's early close"
        return ""

    def _next(self, moment: datetime) -> datetime:
        found = self.trigger.get_next_fire_time(None, moment + timedelta(seconds=1))
        if found is None:
            raise ConfigError("[schedule] cron: the rule never fires again")
        return found
