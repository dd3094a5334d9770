"""Run the fake TWS gateway on its own, for end-to-end runs and demos: `python -m tests.fakes.run_ib_gateway`.

It prints `port N` once listening, then serves until killed. With `--auto-fill` it fills marketable orders by
itself; `--any-symbol` makes it know every symbol (an invented one fills at the order's limit, or at 100 for a
market order).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
from decimal import Decimal

from tests.fakes.ib_gateway import SERVER_VERSIONS, FakeIbGateway
from tests.fakes.ib_wire import Listing


async def serve(args: argparse.Namespace) -> None:
    gateway = FakeIbGateway(
        server_version=args.server_version, account=args.account, auto_fill=args.auto_fill, any_symbol=args.any_symbol
    )
    if args.positions:
        _load_positions(gateway, args.positions)
    for spec in args.listing:
        symbol, price = spec.split("=")
        gateway.add_listing(Listing(symbol, 200_000 + len(gateway.listings), "NYSE", symbol, Decimal(price)))
    port = await gateway.start()
    print(f"port {port}", flush=True)  # the caller reads the port from stdout
    await asyncio.Event().wait()


def _load_positions(gateway: FakeIbGateway, path: str) -> None:
    """Opening holdings from a `symbol,quantity,average_cost` CSV (comment lines start with #; CASH is cash)."""
    with open(path, encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        for row in rows:
            if row["symbol"] == "CASH":
                gateway.cash = Decimal(row["quantity"])
            else:
                gateway.hold(row["symbol"], Decimal(row["quantity"]), Decimal(row.get("average_cost") or "100"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--server-version", type=int, choices=SERVER_VERSIONS, default=178)
    parser.add_argument("--account", default="DU1234567")
    parser.add_argument("--auto-fill", action="store_true")
    parser.add_argument("--any-symbol", action="store_true")
    parser.add_argument("--positions", metavar="CSV", help="opening holdings: symbol,quantity,average_cost")
    parser.add_argument("--listing", action="append", default=[], metavar="SYMBOL=PRICE")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
