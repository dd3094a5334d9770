"""Where a planning command gets its holdings and prices: a positions file, the broker's account, a prices file.

`gather` reads them all before anything is written: a bad file is reported with every problem (exit 2), a broker
that cannot be asked is one line (exit 6). Without `--from-broker`, `--broker` or `--prices` (and with no prices in
the positions file), planning uses the security master file alone, as it always has.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from oms.cli.app import EXIT_UNAVAILABLE, EXIT_USAGE, err_console, fail
from oms.config import ConfigError, Settings
from oms.domain.market import Portfolio, Quote
from oms.planning.errors import IntakeError
from oms.planning.positions import load_holdings
from oms.planning.prices import load_prices
from oms.planning.reference import ReferenceCache, build_master
from oms.planning.securities import SecurityMaster
from oms.planning.settings import PlanningSettings, ReferenceSettings
from oms.planning.sources import portfolio_from_broker
from oms.ports import BrokerError

FromBrokerOption = Annotated[
    bool,
    typer.Option("--from-broker", help="Read positions and cash from the broker's account (see --broker)."),
]
PricesOption = Annotated[
    Path | None,
    typer.Option("--prices", help="CSV of symbol, price[, bid, ask, at]: prices to plan with, without a broker."),
]
SourceBrokerOption = Annotated[
    str | None,
    typer.Option("--broker", help="sim (default), alpaca or ibkr: whose account and reference data to read."),
]


@dataclass
class Gathered:
    """The holdings (None when none were given) and a security master holding every symbol with its priced time."""

    portfolio: Portfolio | None
    master: SecurityMaster
    where: str = ""  # "the sim account", "positions.csv"
    notes: list[str] = field(default_factory=list)


def gather(
    settings: Settings,
    planning: PlanningSettings,
    *,
    symbols: Iterable[str],
    positions: Path | None = None,
    from_broker: bool = False,
    broker_name: str | None = None,
    prices: Path | None = None,
    more_problems: Callable[[SecurityMaster], list[str]] | None = None,
) -> Gathered:
    """Read holdings and prices; exit 2 with every problem, or 6 when the broker cannot be asked.

    `more_problems(master)` reads the command's other input against the security master file when a file here
    is bad, so one run reports the problems of every file (the caller reads it again once this returns)."""
    if from_broker and positions is not None:
        fail("--from-broker: give either --positions FILE or --from-broker, not both")
    problems: list[str] = []
    user = _attempt(lambda: SecurityMaster.load(planning.securities), problems)
    held: tuple[Portfolio, dict[str, Quote]] | None = None
    if positions is not None:
        held = _attempt(lambda: load_holdings(positions), problems)
    supplied: dict[str, Quote] = {}
    if prices is not None:
        supplied = _attempt(lambda: load_prices(prices), problems) or {}
    if problems and user is not None and more_problems is not None:
        problems += more_problems(user)
    if problems or user is None:
        fail_problems(problems)
    portfolio, file_quotes = held if held is not None else (None, {})
    labels = dict.fromkeys(file_quotes, "positions") | dict.fromkeys(supplied, "--prices")
    supplied = file_quotes | supplied
    wanted = set(symbols) | (set(portfolio.positions) if portfolio else set())
    if not (from_broker or broker_name or supplied):
        return Gathered(portfolio, user, str(positions) if positions else "")
    try:
        reference_settings = settings.reference
    except ConfigError as exc:
        fail(str(exc))
    place = str(prices) if prices is not None else f"the prices in {positions}"
    cache = ReferenceCache.in_folder(settings.data_path)
    if not (from_broker or broker_name):
        try:
            master = asyncio.run(
                build_master(
                    wanted,
                    user=user,
                    user_place=str(planning.securities),
                    supplied=supplied,
                    supplied_place=place,
                    settings=reference_settings,
                    cache=cache,
                )
            )
        except IntakeError as exc:
            fail_problems(exc.problems)
        master.origins |= {s: labels[s] for s in master.origins if s in labels}
        return Gathered(portfolio, master, str(positions) if positions else "")
    name = broker_name or "sim"
    try:
        portfolio, master = asyncio.run(
            _from_broker(
                settings,
                name,
                planning,
                user,
                wanted,
                supplied,
                place,
                reference_settings,
                cache,
                read_account=from_broker,
                portfolio=portfolio,
            )
        )
    except IntakeError as exc:
        fail_problems(exc.problems)
    except ConfigError as exc:
        fail(str(exc))
    except BrokerError as exc:
        fail(f"--broker {name}: could not read the account or its reference data: {exc}", EXIT_UNAVAILABLE)
    master.origins |= {s: labels[s] for s in master.origins if s in labels}
    where = f"the {name} account" if from_broker else (str(positions) if positions else "")
    return Gathered(portfolio, master, where)


async def _from_broker(
    settings: Settings,
    name: str,
    planning: PlanningSettings,
    user: SecurityMaster,
    wanted: set[str],
    supplied: dict[str, Quote],
    place: str,
    reference_settings: ReferenceSettings,
    cache: ReferenceCache,
    *,
    read_account: bool,
    portfolio: Portfolio | None,
) -> tuple[Portfolio | None, SecurityMaster]:
    from oms.bootstrap import make_broker, make_reference

    broker = make_broker(name, settings, mode="paper")
    await broker.connect()
    try:
        if read_account:
            portfolio = await portfolio_from_broker(broker)
            wanted = wanted | set(portfolio.positions)
        reference = make_reference(broker, settings)
        master = await build_master(
            wanted,
            user=user,
            user_place=str(planning.securities),
            reference=reference,
            cache=cache,
            supplied=supplied,
            supplied_place=place,
            settings=reference_settings,
        )
    finally:
        await broker.close()
    return portfolio, master


def _attempt(load, problems):  # type: ignore[no-untyped-def]
    try:
        return load()
    except IntakeError as exc:
        problems += exc.problems
        return None


def fail_problems(problems: list[str]) -> NoReturn:
    for problem in problems:
        err_console.print("[bold red]error:[/] ", end="", highlight=False)
        err_console.print(problem, markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_USAGE)
