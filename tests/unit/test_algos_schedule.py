"""Child-order schedules: hand-computed TWAP, VWAP, IS, market and limit splits, windows and refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from oms.domain.enums import Algo, Side, Urgency
from oms.execution.algos import LotRules, ScheduleError, TradingSession, VolumeProfile, build_schedule
from oms.execution.algos.settings import AlgoSettings
from oms.execution.algos.volume_profile import NEW_YORK, regular_session

DAY = date(2026, 11, 24)  # a Tuesday, New York on standard time (UTC-5)


def ny(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=NEW_YORK).astimezone(UTC)


def schedule(quantity: int | str, algo: Algo, start: datetime, horizon: timedelta | None = None, **more: object):  # type: ignore[no-untyped-def]
    return build_schedule(
        parent_client_order_id="B1-7",
        quantity=quantity,
        side=Side.BUY,
        algo=algo,
        start=start,
        horizon=horizon,
        **more,  # type: ignore[arg-type]
    )


def quantities(result) -> list[Decimal]:  # type: ignore[no-untyped-def]
    return [child.quantity for child in result.slices]


def times(result) -> list[datetime]:  # type: ignore[no-untyped-def]
    return [child.not_before for child in result.slices]


def test_twap_splits_into_equal_children_at_equal_intervals() -> None:
    """1,000 shares over an hour at 15-minute intervals are four children of 250, 15 minutes apart."""
    result = schedule(1000, Algo.TWAP, ny(10), timedelta(hours=1))
    assert quantities(result) == [250] * 4
    assert times(result) == [ny(10), ny(10, 15), ny(10, 30), ny(10, 45)]
    assert [child.due for child in result.slices] == [ny(10, 15), ny(10, 30), ny(10, 45), ny(11)]
    assert result.interval == timedelta(minutes=15)


def test_twap_gives_the_odd_share_to_the_earliest_child() -> None:
    """1,001 shares in four children are 251, 250, 250, 250."""
    assert quantities(schedule(1001, Algo.TWAP, ny(10), timedelta(hours=1))) == [251, 250, 250, 250]


def test_twap_of_few_shares_spreads_fewer_children_over_the_whole_horizon() -> None:
    """5 shares over 4 hours are 5 children of 1 share, 48 minutes apart, not 5 children in the first hour."""
    result = schedule(5, Algo.TWAP, ny(10), timedelta(hours=4))
    assert quantities(result) == [1] * 5
    assert times(result) == [ny(10) + timedelta(minutes=48 * i) for i in range(5)]


def test_minimum_child_size_reduces_the_number_of_children() -> None:
    """With a 100-share minimum, 250 shares over an hour are two children of 125, 30 minutes apart."""
    result = schedule(250, Algo.TWAP, ny(10), timedelta(hours=1), lots=LotRules(min_child_quantity=Decimal(100)))
    assert quantities(result) == [125, 125]
    assert times(result) == [ny(10), ny(10, 30)]


def test_vwap_over_the_whole_day_follows_the_u_shaped_profile() -> None:
    """10,000 shares from the open to the close split exactly as the profile's percentages."""
    result = schedule(10_000, Algo.VWAP, ny(9, 30))
    expected = [1200, 900, 750, 650, 600, 550, 500, 500, 550, 600, 700, 900, 1600]
    assert quantities(result) == expected
    assert times(result) == [ny(9, 30) + timedelta(minutes=30 * i) for i in range(13)]
    assert result.slices[-1].due == ny(16)
    assert result.profile_name == "usual U-shaped intraday volume"


def test_vwap_starting_mid_session_takes_only_the_buckets_ahead() -> None:
    """From 10:00 the 09:30 bucket is skipped; the remaining twelve share 10,000 by largest remainders."""
    result = schedule(10_000, Algo.VWAP, ny(10))
    assert quantities(result) == [1023, 852, 739, 682, 625, 568, 568, 625, 682, 795, 1023, 1818]
    assert times(result)[0] == ny(10)


def test_vwap_weighs_a_partly_covered_bucket_by_its_covered_time() -> None:
    """10:15 to 11:00: 15 minutes of the 9% bucket against 30 of the 7.5% bucket is 3:5, so 300 then 500."""
    result = schedule(800, Algo.VWAP, ny(10, 15), timedelta(minutes=45))
    assert quantities(result) == [300, 500]
    assert times(result) == [ny(10, 15), ny(10, 30)]


def test_vwap_accepts_a_custom_profile() -> None:
    """A two-bucket profile 1:3 puts a quarter of the day in the morning and the rest in the afternoon."""
    profile = VolumeProfile("test profile", (Decimal(1), Decimal(3)))
    result = schedule(400, Algo.VWAP, ny(9, 30), profile=profile)
    assert quantities(result) == [100, 300]
    assert times(result) == [ny(9, 30), ny(12, 45)]
    assert result.profile_name == "test profile"


def test_vwap_maps_the_profile_onto_a_shorter_session() -> None:
    """On a 09:30-13:00 half day the same 13 buckets shrink to about 16 minutes each."""
    session = TradingSession(ny(9, 30), ny(13))
    result = schedule(10_000, Algo.VWAP, ny(9, 30), session=session)
    assert quantities(result)[0] == 1200
    assert times(result)[1] == ny(9, 30) + timedelta(seconds=12_600 // 13)
    assert result.end == ny(13)


def test_vwap_outside_the_session_falls_back_to_equal_children() -> None:
    """After the close there is no volume curve to follow: the children are equal and the schedule says why."""
    result = schedule(1000, Algo.VWAP, ny(17), timedelta(hours=1))
    assert quantities(result) == [250] * 4
    assert result.profile_name is None
    assert "outside the regular session" in result.note


def test_is_front_loads_by_geometric_decay() -> None:
    """Normal urgency decays by 0.7: weights 1000:700:490:343 give 395, 276, 194, 135 (largest remainders)."""
    result = schedule(1000, Algo.IS, ny(10), timedelta(hours=1))
    assert quantities(result) == [395, 276, 194, 135]
    assert times(result) == [ny(10), ny(10, 15), ny(10, 30), ny(10, 45)]


def test_is_front_loads_more_when_urgency_is_higher() -> None:
    """The first IS child is largest for high urgency and smallest for low urgency."""
    first = {
        urgency: schedule(10_000, Algo.IS, ny(10), timedelta(hours=2), urgency=urgency).slices[0].quantity
        for urgency in Urgency
    }
    assert first[Urgency.HIGH] > first[Urgency.NORMAL] > first[Urgency.LOW]


@pytest.mark.parametrize("algo", [Algo.MARKET, Algo.LIMIT])
def test_market_and_limit_are_one_child(algo: Algo) -> None:
    """A market or limit parent is one child for the whole quantity at the start."""
    result = schedule(1234, algo, ny(11), timedelta(hours=2))
    assert quantities(result) == [1234]
    assert times(result) == [ny(11)]
    assert result.slices[0].client_order_id == "B1-7-1"


def test_start_before_the_open_waits_for_the_open() -> None:
    """A TWAP asked for at 08:00 with a two-hour horizon runs 09:30 to 10:00."""
    result = schedule(100, Algo.TWAP, ny(8), timedelta(hours=2))
    assert times(result) == [ny(9, 30), ny(9, 45)]
    assert result.end == ny(10)


def test_horizon_is_clipped_at_the_close() -> None:
    """A two-hour TWAP from 15:30 ends at the 16:00 close: two children."""
    result = schedule(100, Algo.TWAP, ny(15, 30), timedelta(hours=2))
    assert times(result) == [ny(15, 30), ny(15, 45)]
    assert result.end == ny(16)


def test_no_horizon_means_until_the_close() -> None:
    """Without a horizon a TWAP from 14:00 runs until 16:00: eight 15-minute children."""
    result = schedule(800, Algo.TWAP, ny(14))
    assert len(result.slices) == 8
    assert result.end == ny(16)


def test_zero_horizon_is_one_child_at_once() -> None:
    """A zero horizon leaves no time to spread: one child at the start."""
    assert quantities(schedule(500, Algo.TWAP, ny(10), timedelta(0))) == [500]


def test_regular_session_follows_daylight_saving() -> None:
    """The 09:30 open is 13:30 UTC in July and 14:30 UTC in November."""
    assert regular_session(date(2026, 7, 14)).open == datetime(2026, 7, 14, 13, 30, tzinfo=UTC)
    assert regular_session(DAY).open == datetime(2026, 11, 24, 14, 30, tzinfo=UTC)


def test_fractional_quantities_split_on_the_step() -> None:
    """10.5 shares with a 0.01 step split into 2.63, 2.63, 2.62, 2.62."""
    lots = LotRules(fractional=True, min_child_quantity=Decimal("0.1"), fractional_step=Decimal("0.01"))
    result = schedule("10.5", Algo.TWAP, ny(10), timedelta(hours=1), lots=lots)
    assert quantities(result) == [Decimal("2.63"), Decimal("2.63"), Decimal("2.62"), Decimal("2.62")]


@pytest.mark.parametrize(
    ("quantity", "lots", "code"),
    [
        ("10.5", LotRules(), "QUANTITY_NOT_WHOLE"),
        ("0.0001", LotRules(fractional=True, fractional_step=Decimal("0.001")), "QUANTITY_NOT_ON_STEP"),
        ("0", LotRules(), "INVALID_QUANTITY"),
        ("-5", LotRules(), "INVALID_QUANTITY"),
    ],
)
def test_quantities_off_the_lot_rules_are_refused(quantity: str, lots: LotRules, code: str) -> None:
    """A quantity that is not positive or not on the lot step raises ScheduleError with its reason code."""
    with pytest.raises(ScheduleError) as raised:
        schedule(quantity, Algo.TWAP, ny(10), timedelta(hours=1), lots=lots)
    assert raised.value.code == code


def test_negative_horizon_and_naive_start_are_refused() -> None:
    """A negative horizon is a ScheduleError; a naive start time is a programming error (ValueError)."""
    with pytest.raises(ScheduleError, match="horizon"):
        schedule(10, Algo.TWAP, ny(10), timedelta(minutes=-1))
    with pytest.raises(ValueError, match="timezone-aware"):
        schedule(10, Algo.TWAP, datetime(2026, 11, 24, 10))  # noqa: DTZ001 - naive on purpose


def test_settings_change_the_interval_and_the_cap() -> None:
    """A 5-minute interval capped at 6 children gives 6 children 10 minutes apart over an hour."""
    settings = AlgoSettings(slice_interval_minutes=5, max_slices=6)
    result = schedule(600, Algo.TWAP, ny(10), timedelta(hours=1), settings=settings)
    assert quantities(result) == [100] * 6
    assert result.interval == timedelta(minutes=10)


def test_the_same_request_gives_the_same_schedule() -> None:
    """Building a schedule twice gives equal results: the engine can rebuild it after a restart."""
    first = schedule(12_345, Algo.VWAP, ny(11, 7), timedelta(hours=3))
    assert first == schedule(12_345, Algo.VWAP, ny(11, 7), timedelta(hours=3))
