"""When `oms daemon` rebalances by itself: the `[schedule]` table and the exchange-time cron rule.

The rule is a crontab line (minute hour day month day-of-week) read in the exchange's time zone by APScheduler's
`CronTrigger`. A firing time is skipped when the exchange is closed that day (weekend, holiday) or the session
closes early and the time is at or after the early close (a half day's afternoon). Time is the venue's when the
venue has a clock of its own (the simulator's sped-up sessions), else the wall clock; the caller passes it in.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from oms.config import CONFIG_DIR, ConfigError, Settings

EXCHANGE_TIME = ZoneInfo("America/New_York")


class ScheduleSettings(BaseModel):
    """The `[schedule]` table."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = False
    targets: Path = CONFIG_DIR / "examples" / "targets.toml"
    cron: str = "0 10 * * mon-fri"
    approval: Literal["supervised", "auto"] = "supervised"
    # How often (real seconds) the daemon looks at the clock to see whether the rule has fired.
    check_seconds: float = Field(default=1.0, gt=0)

    @field_validator("cron")
    @classmethod
    def _crontab(cls, value: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(value, timezone=EXCHANGE_TIME)
        except ValueError as exc:
            raise ValueError(f"not a crontab rule (minute hour day month day-of-week): {exc}") from None
        return value

    @classmethod
    def from_settings(cls, settings: Settings) -> ScheduleSettings:
        values = dict(settings.section("schedule"))
        if values.get("targets"):
            path = Path(str(values["targets"])).expanduser()
            values["targets"] = path if path.is_absolute() else CONFIG_DIR.parent / path
        else:
            values.pop("targets", None)
        try:
            return cls(**values)
        except ValidationError as exc:
            error = exc.errors()[0]
            key = ".".join(str(part) for part in error["loc"])
            raise ConfigError(f"invalid setting [schedule] {key}: {error['msg']}") from None


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
