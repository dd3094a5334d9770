"""Crash drill: SIGKILL `oms run` at random moments of a simulated rebalance, restart it, and prove nothing was lost.

    python scripts/crash_drill.py --kills 50 --seed 3

Each round writes a trade list (sells of held positions, buys the cash and the proceeds can fund) and runs
`oms run FILE --positions POSITIONS` as a subprocess on a temporary data directory with a fast simulated venue.
The drill kills it with SIGKILL, sometimes after a random delay (startup, batch creation, validation), more often
right after the engine logged its n-th event (a submit, a fill booked, a wave released), then starts the same
command again, which must resume the same batch. When a round's batch finishes and kills remain, the next round
trades from the venue's current holdings. After the last kill the command runs to completion, and the drill checks:

- every client order id reached the venue at most once (`SimVenue.submissions()`);
- every venue execution is booked in the ledger exactly once (the same set of exec ids, no duplicates);
- opening holdings and cash plus the ledger's fills equal the venue's positions and cash;
- every ledger order is terminal, and agrees with the venue on its filled quantity.

Exit 0 when every check holds; the seed is printed first so a failure can be reproduced.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.sim import SimSettings, SimVenue  # noqa: E402
from oms.domain import Order  # noqa: E402
from oms.domain.market import Security  # noqa: E402
from oms.planning.securities import SecurityMaster  # noqa: E402
from oms.store import Ledger  # noqa: E402

SPEED = 300.0  # simulated seconds per real second: a price step (one matching round) every 0.2 s
# The engine's pace, as a person would set it for a demo; small so a short life still does real work.
ENVIRONMENT = {
    "OMS_SIM__SPEED": str(SPEED),
    "OMS_SIM__START_TIME": "10:00",
    "OMS_EXECUTION__POLL_SECONDS": "0.05",
    "OMS_EXECUTION__IDLE_POLL_SECONDS": "0.05",
    "OMS_EXECUTION__IN_FLIGHT_SECONDS": "0.3",
    "OMS_EXECUTION__HEARTBEAT_SECONDS": "0.5",
    "OMS_EXECUTION__RUN_TIMEOUT_SECONDS": "120",
    "OMS_LOGGING__CONSOLE": "false",
    "OMS_RISK__MAX_ORDERS_PER_MINUTE": "0",
    "OMS_RISK__DAILY_NOTIONAL_CAP": "0",
}
FINAL_RUN_SECONDS = 90.0
MAX_ORDER_VALUE = Decimal(20_000)  # below the guidance's single-order limit: no algorithm splits these
ENGINE_EVENT = re.compile(rb'"event": "((?:order|batch|sim|oms)\.[a-z_]+)"')
LIFE_STARTED = b'"event": "ledger.opened"'  # imports are done
SCHEDULER_STARTED = b'"event": "scheduler.started"'


@dataclass
class Drill:
    """One drill's data directory, seeded choices and what happened so far."""

    seed: int
    kills: int
    workdir: Path
    faults: bool = False  # also flip the venue's fault switches between lives (lost replies, outages, repeats)
    rng: random.Random = field(init=False)
    securities: dict[str, Security] = field(init=False)
    landed: Counter[str] = field(default_factory=Counter)  # last event the engine logged before each kill
    faults_set: Counter[str] = field(default_factory=Counter)
    repeating: bool = False  # the venue's "duplicate fill reports" switch
    killed: int = 0
    rounds: int = 0
    lives: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        master = SecurityMaster.load(ROOT / "config" / "securities.csv")
        # Names the guidance trades with one market order (narrow spread, calm price, not leveraged), so every order
        # can fill within the drill; larger or wilder names would become limit orders or algorithms.
        self.securities = {
            s.symbol: s
            for s in master
            if not s.leveraged and s.leverage_factor > 0 and s.spread_bps < 10 and s.daily_volatility < Decimal("0.03")
        }
        self.log_file = self.workdir / "oms.jsonl"
        self.venue_file = self.workdir / "sim-venue.db"
        self.positions_file = self.workdir / "positions.csv"
        self.watcher = LogWatcher(self.log_file)

    # -- the subprocess -------------------------------------------------------------------------------------------

    def environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OMS_")}
        env.update(ENVIRONMENT)
        env["OMS_DATA_DIR"] = str(self.workdir)
        env["OMS_LOGGING__FILE"] = str(self.log_file)
        env["OMS_SIM__SEED"] = str(self.seed)
        return env

    def command(self, trades: Path) -> list[str]:
        oms = [sys.executable, "-c", "from oms.cli import main; main()"]
        return [*oms, "run", str(trades), "--positions", str(self.positions_file)]

    def start(self, trades: Path) -> subprocess.Popen[bytes]:
        self.lives += 1
        return subprocess.Popen(
            self.command(trades),
            cwd=ROOT,
            env=self.environment(),
            stdout=subprocess.DEVNULL,
            stderr=(self.workdir / "stderr.txt").open("ab"),
        )

    def live_once(self, trades: Path) -> bool:
        """Start the command and kill it at a random moment. Returns False when it finished before the kill."""
        if self.faults and self.venue_file.exists() and self.rng.random() < 0.4:
            self.set_fault()
        process = self.start(trades)
        log = self.watcher
        life, schedulers = log.poll().lives, log.schedulers
        # Startup (imports) takes one to several seconds depending on the machine's load: time kills from the moment
        # this life opened the ledger, so none is wasted on the interpreter starting.
        wait_for(lambda: log.poll().lives > life, process, seconds=30)
        if self.rng.random() < 0.25:  # batch creation, validation, the lease, the first cycle
            wait_for(lambda: False, process, seconds=self.rng.uniform(0, 1.5))
        else:  # right after the engine's n-th event of this life: a submit, a venue accept, a fill booked, a release
            wait_for(lambda: log.poll().schedulers > schedulers, process, seconds=8)
            target = log.events + self.rng.randint(1, 8)
            wait_for(lambda: log.poll().events >= target, process, seconds=self.rng.uniform(0.3, 2.0))
            time.sleep(self.rng.uniform(0, 0.02))
        if process.poll() is not None:
            return self._finished(process)
        process.send_signal(signal.SIGKILL)
        process.wait()
        self.killed += 1
        self.landed[self.watcher.poll().last] += 1
        return True

    def _finished(self, process: subprocess.Popen[bytes]) -> bool:
        if process.returncode != 0:
            raise DrillFailure(f"oms run exited {process.returncode}; see {self.workdir / 'stderr.txt'}")
        return False

    def finish(self, trades: Path) -> None:
        process = self.start(trades)
        try:
            code = process.wait(timeout=FINAL_RUN_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            raise DrillFailure(f"the last run did not finish in {FINAL_RUN_SECONDS:.0f} s") from None
        if code != 0:
            raise DrillFailure(f"the last run exited {code}; see {self.workdir / 'stderr.txt'}")

    # -- trade lists ----------------------------------------------------------------------------------------------

    def write_opening(self) -> tuple[Decimal, dict[str, Decimal]]:
        held = self.rng.sample(sorted(self.securities), 10)
        holdings = {s: _shares(Decimal(self.rng.randint(15_000, 40_000)) / self.securities[s].last_price) for s in held}
        cash = Decimal(self.rng.randint(150, 250) * 1000)
        lines = ["symbol,quantity,average_cost", f"CASH,{cash}"]
        lines += [f"{s},{q},{self.securities[s].last_price}" for s, q in holdings.items()]
        self.positions_file.write_text("\n".join(lines) + "\n")
        return cash, holdings

    def write_trades(self, cash: Decimal, holdings: dict[str, Decimal]) -> Path:
        """Sell part of several holdings; buy others with at most the cash above a 15% floor plus 90% of proceeds."""
        self.rounds += 1
        price = {s: self.securities[s].last_price for s in self.securities}
        value = cash + sum((q * price[s] for s, q in holdings.items() if s in price), Decimal(0))
        sellable = sorted(s for s, q in holdings.items() if s in price and q >= 2)
        sells = self.rng.sample(sellable, min(len(sellable), self.rng.randint(6, 12)))
        rows, proceeds = [], Decimal(0)
        for symbol in sells:
            wanted = holdings[symbol] * Decimal(self.rng.uniform(0.2, 0.7))
            shares = _shares(min(wanted, MAX_ORDER_VALUE / price[symbol]))
            if shares >= 1:
                rows.append(f"{symbol},SELL,{shares},drill round {self.rounds}")
                proceeds += shares * price[symbol]
        budget = cash - value * Decimal("0.15") + proceeds * Decimal("0.9")
        candidates = [s for s in sorted(self.securities) if s not in sells]
        buys = self.rng.sample(candidates, min(len(candidates), self.rng.randint(14, 26)))
        each = min(budget / len(buys), value * Decimal("0.04"), MAX_ORDER_VALUE) if budget > 0 else Decimal(0)
        for symbol in buys:
            shares = _shares(each * Decimal(self.rng.uniform(0.5, 1.0)) / price[symbol])
            if shares >= 1 and shares * price[symbol] >= 200:
                rows.append(f"{symbol},BUY,{shares},drill round {self.rounds}")
        path = self.workdir / f"trades-{self.rounds}.csv"
        path.write_text("symbol,action,shares,reason\n" + "\n".join(rows) + "\n")
        return path

    # -- the drill ------------------------------------------------------------------------------------------------

    def run(self) -> dict[str, object]:
        cash, holdings = self.write_opening()
        opening = (cash, dict(holdings))
        trades = self.write_trades(cash, holdings)
        while self.killed < self.kills:
            if self.lives > 4 * self.kills + 20:
                raise DrillFailure(
                    f"only {self.killed} of {self.kills} kills landed in {self.lives} runs: the drill no longer sees "
                    "the engine's log events (ledger.opened, scheduler.started, order.*) it times its kills by"
                )
            if not self.live_once(trades):  # that batch finished: trade again from what the venue holds now
                cash, holdings = self.venue_holdings()
                trades = self.write_trades(cash, holdings)
        self.finish(trades)
        return check(self, opening)

    def set_fault(self) -> None:
        """Arm one of the venue's switches, as another process would (the switches live in the venue's file)."""
        venue = self.open_venue()
        try:
            choice = self.rng.choice(["reply lost", "order lost", "reports down", "fills repeated"])
            if choice == "reply lost":
                venue.time_out_next_submission(accepted=True)
            elif choice == "order lost":
                venue.time_out_next_submission(accepted=False)
            elif choice == "reports down":
                venue.fail_report_queries(self.rng.randint(1, 4))
            else:
                self.repeating = not self.repeating
                venue.duplicate_fills(self.repeating)
            self.faults_set[choice] += 1
        finally:
            venue.close()

    def open_venue(self) -> SimVenue:
        # The same speed as the command's, or opening the file would rebase the venue's clock.
        return SimVenue(self.venue_file, self.securities_all(), SimSettings(seed=self.seed, speed=SPEED))

    def securities_all(self) -> list[Security]:
        return list(SecurityMaster.load(ROOT / "config" / "securities.csv"))

    def venue_holdings(self) -> tuple[Decimal, dict[str, Decimal]]:
        venue = self.open_venue()
        try:
            return venue.account().cash, {p.symbol: p.quantity for p in venue.positions()}
        finally:
            venue.close()


class LogWatcher:
    """Follow the command's JSON-lines log: lives started, schedulers started, engine events, the last one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.lives = 0  # each `oms run` opens the ledger once, which logs the migration context
        self.schedulers = 0
        self.events = 0
        self.last = "(before any event)"

    def poll(self) -> LogWatcher:
        try:
            with self.path.open("rb") as handle:
                handle.seek(self.offset)
                chunk = handle.read()
        except FileNotFoundError:
            return self
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self.offset += len(complete)
        for line in complete.splitlines():
            if LIFE_STARTED in line:
                self.lives += 1
            elif SCHEDULER_STARTED in line:
                self.schedulers += 1
            elif match := ENGINE_EVENT.search(line):
                self.events += 1
                self.last = match.group(1).decode()
        return self


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[bytes], *, seconds: float) -> None:
    """Wait until `condition()` holds, the process ends, or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None and not condition():
        time.sleep(0.005)


class DrillFailure(Exception):
    """A check did not hold, or the command failed."""


def _shares(quantity: Decimal) -> Decimal:
    return quantity.quantize(Decimal(1), rounding=ROUND_FLOOR)


@dataclass
class VenueState:
    submissions: dict[str, int]
    exec_ids: set[str]
    filled: dict[str, Decimal]  # client order id -> filled quantity
    positions: dict[str, Decimal]
    cash: Decimal


def read_venue(drill: Drill) -> VenueState:
    venue = drill.open_venue()
    try:
        # The auditor reads the venue's true state: a report outage the drill armed and no run consumed is
        # switched off first, or the check itself fails on the simulated outage (seed 4242 did, before).
        venue.fail_report_queries(0)
        return VenueState(
            submissions=venue.submissions(),
            exec_ids={f.exec_id for f in venue.fill_reports()},
            filled={r.client_order_id: r.filled_quantity for r in venue.order_reports(open_only=False)},
            positions={p.symbol: p.quantity for p in venue.positions()},
            cash=venue.account().cash,
        )
    finally:
        venue.close()


def read_ledger(drill: Drill) -> list[Order]:
    ledger = Ledger.open(f"sqlite:///{drill.workdir / 'oms.db'}")
    try:
        with ledger.reading() as uow:
            return [o for b in uow.batches.list(limit=100_000) for o in uow.orders.for_batch(b.id)]
    finally:
        ledger.close()


def check(drill: Drill, opening: tuple[Decimal, dict[str, Decimal]]) -> dict[str, object]:
    """Compare the venue with the ledger; raise DrillFailure naming every difference."""
    venue, orders = read_venue(drill), read_ledger(drill)
    problems = differences(venue, orders, opening)
    if problems:
        raise DrillFailure("\n".join(problems))
    return {
        "kills": drill.killed,
        "lives": drill.lives,
        "rounds": drill.rounds,
        "orders": len(orders),
        "order_statuses": dict(Counter(o.status.value for o in orders)),
        "submissions": sum(venue.submissions.values()),
        "fills": len(venue.exec_ids),
        "kills_after_event": dict(drill.landed.most_common()),
        "faults": dict(drill.faults_set.most_common()),
    }


def differences(venue: VenueState, orders: list[Order], opening: tuple[Decimal, dict[str, Decimal]]) -> list[str]:
    """Every way the ledger and the venue disagree, one sentence each."""
    problems: list[str] = []
    twice = {coid: n for coid, n in venue.submissions.items() if n > 1}
    if twice:
        problems.append(f"client order ids sent more than once: {twice}")
    booked = [f.exec_id for o in orders for f in o.fills]
    repeated = [e for e, n in Counter(booked).items() if n > 1]
    if repeated:
        problems.append(f"fills booked more than once: {repeated}")
    if set(booked) != venue.exec_ids:
        problems.append(
            f"exec ids differ: missing from the ledger {sorted(venue.exec_ids - set(booked))}, "
            f"unknown to the venue {sorted(set(booked) - venue.exec_ids)}"
        )
    cash, positions = opening[0], dict(opening[1])
    for order in orders:
        for fill in order.fills:
            signed = order.side.sign * fill.quantity
            positions[order.symbol] = positions.get(order.symbol, Decimal(0)) + signed
            cash -= signed * fill.price + fill.commission
    positions = {s: q for s, q in positions.items() if q}
    if positions != venue.positions:
        keys = sorted(set(positions) | set(venue.positions))
        diff = {s: (str(positions.get(s, 0)), str(venue.positions.get(s, 0))) for s in keys}
        problems.append(f"positions differ (ledger, venue): { {s: d for s, d in diff.items() if d[0] != d[1]} }")
    if cash != venue.cash:
        problems.append(f"cash differs: ledger {cash}, venue {venue.cash}")
    still_open = [f"{o.client_order_id} {o.status.value}" for o in orders if not o.is_terminal]
    if still_open:
        problems.append(f"orders not terminal: {still_open}")
    for order in orders:
        filled = venue.filled.get(order.client_order_id or "", Decimal(0))
        if filled != order.filled_quantity:
            problems.append(f"{order.client_order_id}: ledger filled {order.filled_quantity}, venue {filled}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--kills", type=int, default=50, help="SIGKILLs before the last run (default 50)")
    parser.add_argument("--seed", type=int, default=None, help="seed of every random choice (default: random)")
    parser.add_argument("--faults", action="store_true", help="also arm the venue's fault switches between lives")
    parser.add_argument("--keep", type=Path, default=None, help="use this directory and keep it afterwards")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1_000_000)
    print(f"crash drill: seed {seed}, {args.kills} kills (reproduce: --seed {seed})", flush=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="oms-crash-") as scratch:
        workdir = args.keep or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        try:
            figures = Drill(seed, args.kills, workdir, faults=args.faults).run()
        except DrillFailure as exc:
            print(f"FAILED (seed {seed}, data in {workdir}):\n{exc}", flush=True)
            return 1
    print(f"{figures['kills']} kills over {figures['lives']} starts, {figures['rounds']} trade lists")
    print(f"{figures['orders']} orders ({figures['order_statuses']}), {figures['fills']} venue fills")
    print("kills landed after:", ", ".join(f"{k} {n}" for k, n in figures["kills_after_event"].items()))  # type: ignore[attr-defined]
    if figures["faults"]:
        print("venue faults armed:", ", ".join(f"{k} {n}" for k, n in figures["faults"].items()))  # type: ignore[attr-defined]
    print("checked: every client order id reached the venue at most once; every venue fill booked exactly once;")
    print("         ledger positions and cash (opening + fills) equal the venue's; every order terminal and")
    print(f"         agreeing with the venue on its filled quantity ({time.monotonic() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
