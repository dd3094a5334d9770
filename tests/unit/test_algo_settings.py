"""The [algos] settings: the shipped defaults load, partial tables keep the rest, bad values say where."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms.config import ConfigError, load_settings
from oms.domain.enums import Urgency
from oms.execution.algos import LotRules
from oms.execution.algos.settings import AlgoSettings


def test_the_shipped_table_equals_the_built_in_defaults() -> None:
    """config/default.toml's [algos] table and AlgoSettings() agree, so the documented values are the real ones."""
    assert load_settings().algos == AlgoSettings()


def test_a_partial_per_urgency_table_keeps_the_other_urgencies() -> None:
    """Setting only is_decay.high keeps the default low and normal ratios."""
    settings = load_settings(algos={"is_decay": {"high": "0.4"}}).algos
    assert settings.is_decay == {
        Urgency.LOW: Decimal("0.85"),
        Urgency.NORMAL: Decimal("0.7"),
        Urgency.HIGH: Decimal("0.4"),
    }


@pytest.mark.parametrize(
    ("section", "place"),
    [
        ({"is_decay": {"high": "1.5"}}, "is_decay"),
        ({"reprice_cross_bps": {"low": "-1"}}, "reprice_cross_bps"),
        ({"vwap_profile": ["0", "0"]}, "vwap_profile"),
        ({"slice_interval_minutes": 0}, "slice_interval_minutes"),
        ({"client_order_id_max_length": 5}, "client_order_id_max_length"),
        ({"no_such_key": 1}, "no_such_key"),
        ({"max_slices": -1}, "max_slices"),
    ],
)
def test_bad_values_name_their_place(section: dict[str, object], place: str) -> None:
    """A bad [algos] value is one ConfigError naming where it came from, the table and the key."""
    with pytest.raises(ConfigError, match=rf"^command line: algos\.{place}"):
        load_settings(algos=section)


def test_lot_rules_take_their_sizes_from_the_settings() -> None:
    """LotRules.from_settings uses the configured minimum child and step, and the security's fractional flag."""
    settings = AlgoSettings(min_child_quantity=Decimal(5), fractional_step=Decimal("0.001"))
    assert LotRules.from_settings(settings, fractional=True) == LotRules(True, Decimal(5), Decimal("0.001"))
    assert LotRules.from_settings(settings, fractional=False).step == 1
