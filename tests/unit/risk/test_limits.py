"""The [risk] table: documented defaults, a user's --config file over them, and one clear line for a bad value."""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from oms.config import DEFAULT_CONFIG, ConfigError, load_settings
from oms.risk import MarketHoursMode, RiskLimits, WashSaleMode, load_limits


def test_default_toml_matches_the_model_defaults() -> None:
    """config/default.toml documents every key, with the same values the model falls back to."""
    table = tomllib.loads(DEFAULT_CONFIG.read_text())["risk"]
    assert set(table) == set(RiskLimits.model_fields)
    assert load_limits(load_settings()) == RiskLimits()
    assert RiskLimits().max_position_pct == Decimal("0.25")
    assert RiskLimits().max_leveraged_pct == Decimal("0.30")
    assert RiskLimits().min_cash_pct == Decimal("0.10")


def test_user_file_overrides_defaults(tmp_path: Path) -> None:
    """Keys in the user's file win; keys it leaves out keep their defaults."""
    user = tmp_path / "mine.toml"
    user.write_text(
        "[risk]\n"
        "max_position_pct = 0.2\n"
        'market_hours = "off"\n'
        'wash_sale = "block"\n'
        'wash_sale_groups = [["SPY", "IVV"]]\n'
        'restricted_symbols = ["XYZ", { symbol = "ABC", reason = "deal team", expires = 2026-12-31 }]\n'
        "[risk.sector_limits]\n"
        "Technology = 0.4\n"
    )
    limits = load_limits(load_settings(user))
    assert limits.max_position_pct == Decimal("0.2")
    assert limits.market_hours is MarketHoursMode.OFF
    assert limits.wash_sale is WashSaleMode.BLOCK
    assert limits.group_of() == {"SPY": "SPY", "IVV": "SPY"}
    assert [(e.symbol, e.reason, e.expires) for e in limits.restricted_symbols] == [
        ("XYZ", "on the restricted list", None),
        ("ABC", "deal team", date(2026, 12, 31)),
    ]
    assert limits.sector_limits == {"Technology": Decimal("0.4")}
    assert limits.min_cash_pct == Decimal("0.10")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("max_position_pct = 1.5", "risk.max_position_pct: must be less than or equal to 1 (got 1.5)"),
        ('market_hours = "sometimes"', "risk.market_hours: must be 'hold', 'block' or 'off' (got 'sometimes')"),
        ("max_posiiton_pct = 0.2", "risk.max_posiiton_pct: unknown key; did you mean 'max_position_pct'?"),
        ("max_adv_pct_warn = 0.5", "risk: max_adv_pct_warn (0.5) must not exceed max_adv_pct_block (0.2)"),
        ("sector_limits = { Energy = 2 }", "risk.sector_limits: 'Energy' must be a fraction between 0 and 1"),
        ('restricted_symbols = [{ symbol = "X", expires = "soon" }]', "risk.restricted_symbols.0.expires"),
    ],
)
def test_bad_value_is_one_clear_line(tmp_path: Path, content: str, expected: str) -> None:
    """A wrong value names the file, the key and the reason, on one line."""
    user = tmp_path / "bad.toml"
    user.write_text(f"[risk]\n{content}\n")
    with pytest.raises(ConfigError) as caught:
        load_limits(load_settings(user))
    message = str(caught.value)
    assert message.startswith(f"{user}: ")
    assert expected in message
    assert "\n" not in message


def test_restricted_file_adds_entries(tmp_path: Path) -> None:
    """A CSV restricted list (symbol, reason, expiry) joins the symbols listed in the table."""
    listed = tmp_path / "restricted.csv"
    listed.write_text("symbol,reason,expires\nabc,merger talks,2027-01-15\nDEF,,\n")
    user = tmp_path / "mine.toml"
    user.write_text(f'[risk]\nrestricted_symbols = ["XYZ"]\nrestricted_file = "{listed}"\n')
    limits = load_limits(load_settings(user))
    assert [(e.symbol, e.reason, e.expires) for e in limits.restricted_symbols] == [
        ("XYZ", "on the restricted list", None),
        ("ABC", "merger talks", date(2027, 1, 15)),
        ("DEF", "on the restricted list", None),
    ]


def test_restricted_file_bad_date_names_the_line(tmp_path: Path) -> None:
    """A bad expiry date is reported as FILE:LINE: expires: reason."""
    listed = tmp_path / "restricted.csv"
    listed.write_text("symbol,reason,expires\nABC,ok,2027-01-15\nDEF,bad,31/12/2026\n")
    user = tmp_path / "mine.toml"
    user.write_text(f'[risk]\nrestricted_file = "{listed}"\n')
    with pytest.raises(ConfigError, match=r"restricted.csv:3: expires: '31/12/2026' is not a date"):
        load_limits(load_settings(user))


def test_missing_restricted_file_is_named(tmp_path: Path) -> None:
    """A restricted_file that does not exist is one line naming it."""
    user = tmp_path / "mine.toml"
    user.write_text(f'[risk]\nrestricted_file = "{tmp_path / "absent.csv"}"\n')
    with pytest.raises(ConfigError, match=r"absent\.csv: restricted list not found"):
        load_limits(load_settings(user))


def test_unknown_exchange_is_a_config_error() -> None:
    """An exchange code exchange_calendars does not know is reported when the calendar is first needed."""
    from oms.risk.calendar import TradingCalendar

    with pytest.raises(ConfigError, match="'NOPE' is not an exchange_calendars code"):
        TradingCalendar("NOPE")
