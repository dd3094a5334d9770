"""Properties every schedule keeps, whatever the parent, the algorithm, the time of day and the lot rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from oms.domain.enums import Algo, Side, Urgency
from oms.execution.algos import LotRules, Schedule, build_schedule
from oms.execution.algos.settings import AlgoSettings

BASE = datetime(2026, 3, 5, tzinfo=UTC)  # spans the March daylight-saving change below

starts = st.integers(0, 14 * 24 * 3600).map(lambda seconds: BASE + timedelta(seconds=seconds))
horizons = st.one_of(st.none(), st.integers(0, 10 * 3600).map(lambda seconds: timedelta(seconds=seconds)))
algo_settings = st.builds(
    AlgoSettings,
    slice_interval_minutes=st.integers(1, 60),
    max_slices=st.integers(1, 120),
    client_order_id_max_length=st.integers(22, 64),
)


@st.composite
def parents(draw: st.DrawFn) -> tuple[Decimal, LotRules]:
    if draw(st.booleans()):
        step = draw(st.sampled_from([Decimal("0.01"), Decimal("0.0001"), Decimal("0.000000001")]))
        units = draw(st.integers(1, 10**7))
        minimum = step * draw(st.integers(1, 1000))
        return Decimal(units) * step, LotRules(fractional=True, min_child_quantity=minimum, fractional_step=step)
    quantity = Decimal(draw(st.integers(1, 5_000_000)))
    return quantity, LotRules(min_child_quantity=Decimal(draw(st.integers(1, 500))))


def check(result: Schedule, quantity: Decimal, lots: LotRules, start: datetime, max_length: int) -> None:
    children = result.slices
    assert sum(child.quantity for child in children) == quantity
    assert all(child.quantity > 0 for child in children)
    if not lots.fractional:
        assert all(child.quantity == child.quantity.to_integral_value() for child in children)
    else:
        assert all(child.quantity % lots.fractional_step == 0 for child in children)
    if len(children) > 1:
        assert all(child.quantity >= lots.min_child_quantity for child in children)
    assert [child.sequence for child in children] == list(range(1, len(children) + 1))
    times = [child.not_before for child in children]
    assert times == sorted(times)
    assert start <= result.start <= times[0]
    assert times[-1] <= result.end
    assert all(child.not_before <= child.due <= max(result.end, child.not_before) for child in children)
    ids = [child.client_order_id for child in children]
    assert len(set(ids)) == len(ids)
    assert all(len(value) <= max_length for value in ids)


@settings(max_examples=300, deadline=None)
@given(
    parents(),
    st.sampled_from(list(Algo)),
    st.sampled_from(list(Urgency)),
    starts,
    horizons,
    algo_settings,
    st.text(st.sampled_from("AB09-_"), min_size=1, max_size=70),
)
def test_every_schedule_keeps_its_invariants(
    parent: tuple[Decimal, LotRules],
    algo: Algo,
    urgency: Urgency,
    start: datetime,
    horizon: timedelta | None,
    config: AlgoSettings,
    parent_id: str,
) -> None:
    """Children sum exactly to the parent, are positive and on the lot, in time order within the horizon."""
    quantity, lots = parent
    result = build_schedule(
        parent_client_order_id=parent_id,
        quantity=quantity,
        side=Side.BUY,
        algo=algo,
        start=start,
        horizon=horizon,
        urgency=urgency,
        lots=lots,
        settings=config,
    )
    check(result, quantity, lots, start, config.client_order_id_max_length)
    if algo in (Algo.MARKET, Algo.LIMIT):
        assert len(result.slices) == 1
    assert len(result.slices) <= config.max_slices
    again = build_schedule(
        parent_client_order_id=parent_id,
        quantity=quantity,
        side=Side.BUY,
        algo=algo,
        start=start,
        horizon=horizon,
        urgency=urgency,
        lots=lots,
        settings=config,
    )
    assert again == result
