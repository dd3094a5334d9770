"""`oms report`: execution quality (TCA) of one batch, or across the batches since a date."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from oms.cli.app import ConfigOption, DbOption, JsonOption, app, console, fail, settings_for
from oms.config import ConfigError, Settings
from oms.files import write_atomically
from oms.reporting.across import across_json
from oms.reporting.display import report_json
from oms.reporting.ledger_reports import BatchNotFound, report_batch, report_since
from oms.reporting.report_html import render_html
from oms.reporting.report_terminal import print_across, print_batch
from oms.reporting.tca_inputs import TcaInputError, contexts_for, read_marks, read_prices
from oms.store import Ledger
from oms.store.database import DatabaseUrlError

BatchArgument = Annotated[str | None, typer.Argument(help="The batch to report on.", show_default=False)]
SinceOption = Annotated[
    str | None, typer.Option("--since", help="Report across the batches created on or after DATE (YYYY-MM-DD).")
]
HtmlOption = Annotated[Path | None, typer.Option("--html", help="Also write a self-contained HTML report to FILE.")]
MarksOption = Annotated[
    Path | None,
    typer.Option("--marks", help="CSV symbol,price[,adv][,spread_bps]: end-of-run prices, ADV and spreads."),
]
PricesOption = Annotated[
    Path | None, typer.Option("--prices", help="CSV at,symbol,price[,volume]: reference prices (TWAP/VWAP).")
]


@app.command("report")
def report_command(
    batch: BatchArgument = None,
    since: SinceOption = None,
    as_json: JsonOption = False,
    html: HtmlOption = None,
    marks: MarksOption = None,
    prices: PricesOption = None,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Measure execution quality: slippage, shortfall and fill rates of a batch, or across batches since a date."""
    if (batch is None) == (since is None):
        fail("report: give either a BATCH or --since DATE")
    if since is not None and (html or marks or prices):
        fail("report: --html, --marks and --prices apply to one batch, not to --since")
    settings = settings_for(config, db)
    margin = settings.tca.warn_above_expected_bps
    ledger = _open_ledger(settings)
    try:
        if batch is not None:
            _report_batch(
                ledger, batch, as_json=as_json, html=html, marks=marks, prices=prices, margin=margin, settings=settings
            )
        else:
            report = report_since(ledger, _parse_since(str(since)), warn_above_expected_bps=margin)
            if as_json:
                console.print_json(json.dumps(across_json(report)))
            else:
                print_across(report, console)
    finally:
        ledger.close()


def _report_batch(
    ledger: Ledger,
    batch: str,
    *,
    as_json: bool,
    html: Path | None,
    marks: Path | None,
    prices: Path | None,
    margin: Decimal,
    settings: Settings,
) -> None:
    try:
        mark_rows = read_marks(marks) if marks else {}
        series = read_prices(prices) if prices else {}
    except TcaInputError as exc:
        fail(str(exc))
    contexts = contexts_for([*mark_rows, *series], mark_rows, series)
    try:
        report = report_batch(ledger, batch, contexts, warn_above_expected_bps=margin, bars_for=_bars_for(settings))
    except BatchNotFound as exc:
        fail(str(exc))
    if html is not None:
        _write_atomically(html, render_html(report))
    if as_json:
        console.print_json(json.dumps(report_json(report)))
    else:
        print_batch(report, console)
        if html is not None:
            console.print(f"HTML report written to {html}", highlight=False)


def _bars_for(settings: Settings) -> Callable[[str], Any]:
    """The broker's market bars for the interval VWAP (the simulator's); a venue that cannot be opened gives none."""

    def bars(broker_name: str) -> Any:
        from oms.bootstrap import report_bars

        try:
            return report_bars(settings, broker_name)
        except (ConfigError, OSError):
            return None

    return bars


def _open_ledger(settings: Settings) -> Ledger:
    from oms.store.existing import require_existing

    try:
        require_existing(settings.database_url)
        return Ledger.open(
            settings.database_url,
            sqlite_synchronous=settings.database.sqlite_synchronous,
            busy_timeout_ms=settings.database.busy_timeout_ms,
        )
    except DatabaseUrlError as exc:
        fail(str(exc))


def _parse_since(text: str) -> datetime:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        fail(f"--since: {text!r} is not a date (YYYY-MM-DD)")
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _write_atomically(path: Path, content: str) -> None:
    """Write the whole file or nothing: a crash never leaves half a report behind."""
    directory = path.resolve().parent
    if not directory.is_dir():
        fail(f"--html: {path}: the directory {directory} does not exist")
    write_atomically(path, content)
