"""A paper-trading campaign: `oms daemon` rebalancing config/examples/targets.toml on the simulator every session.

    python scripts/paper_campaign.py --sessions 30            # about 4 minutes at the default --speed 3000
    python scripts/paper_campaign.py --sessions 2 --speed 6000 --json

The daemon runs in its own process on a fresh data folder, with `[schedule]` set to fire at 10:00 exchange time on
every trading day (`approval = "auto"`), so each simulated session the account (whose seeded prices drift the
weights) is read, measured against its bands, and rebalanced when some holding is outside. When the given number of
sessions have fired and their batches have finished, the daemon is stopped and the cross-batch report printed:
batches, orders, fill rate, realised against expected cost by algorithm (`oms report --since`), and the largest
drift from target before and after each rebalance (from the daemon's schedule.jsonl).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OMS = Path(sys.executable).parent / "oms"
CONFIG = """
[schedule]
enabled = true
targets = "config/examples/targets.toml"
cron = "0 10 * * mon-fri"
approval = "auto"
check_seconds = 0.1

[rebalance]
band_absolute = {band_absolute}
band_relative = {band_relative}
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30, help="simulated trading sessions to run (default 30)")
    parser.add_argument("--speed", type=float, default=3000.0, help="simulated seconds per real second")
    parser.add_argument("--band-absolute", default="0.02", help="[rebalance] band_absolute (default 2pp)")
    parser.add_argument("--band-relative", default="0.25", help="[rebalance] band_relative (default 25%%)")
    parser.add_argument("--data", type=Path, help="data folder (default: a new temporary one)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    if args.sessions < 1:
        parser.error("--sessions: at least 1")
    data = args.data or Path(tempfile.mkdtemp(prefix="oms-campaign-"))
    started = time.monotonic()
    records = run_campaign(data, args.sessions, args.speed, args.band_absolute, args.band_relative)
    report = campaign_report(data, records)
    report["wall_seconds"] = round(time.monotonic() - started, 1)
    report["data"] = str(data)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return 0


def environment(data: Path, speed: float) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("OMS_")}
    return inherited | {
        "OMS_DATA_DIR": str(data),
        "OMS_LOGGING__FILE": str(data / "oms.jsonl"),
        "OMS_LOGGING__CONSOLE": "false",
        "OMS_SIM__SPEED": str(speed),
        "OMS_EXECUTION__POLL_SECONDS": "0.1",
        "OMS_EXECUTION__IDLE_POLL_SECONDS": "0.2",
        "OMS_EXECUTION__HEARTBEAT_SECONDS": "1",
        "COLUMNS": "120",
        "NO_COLOR": "1",
    }


def run_campaign(
    data: Path, sessions: int, speed: float, band_absolute: str, band_relative: str
) -> list[dict[str, Any]]:
    """Run the daemon until `sessions` firings have happened and their batches finished; return schedule.jsonl."""
    data.mkdir(parents=True, exist_ok=True)
    config = data / "campaign.toml"
    config.write_text(CONFIG.format(band_absolute=band_absolute, band_relative=band_relative), encoding="utf-8")
    log = data / "schedule.jsonl"
    daemon = subprocess.Popen(
        [str(OMS), "daemon", "--config", str(config)],
        cwd=ROOT,
        env=environment(data, speed),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    # A session is 23,400 simulated seconds; allow three sessions' worth of wall time each, and a slow start-up
    # (a busy CI machine can take tens of seconds to start the daemon).
    deadline = time.monotonic() + 180 + sessions * 3 * 23_400 / speed
    try:
        while time.monotonic() < deadline:
            if daemon.poll() is not None:
                raise SystemExit(f"the daemon stopped early: {daemon.stderr.read() if daemon.stderr else ''}")
            records = read_log(log)
            if finished(records, sessions):
                return first_sessions(records, sessions)
            time.sleep(0.2)
        raise SystemExit(f"campaign did not finish {sessions} sessions in time; see {data}")
    finally:
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(30)
        except subprocess.TimeoutExpired:
            daemon.kill()


def read_log(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def finished(records: list[dict[str, Any]], sessions: int) -> bool:
    fired = [r for r in records if "drift_before" in r]
    if len(fired) < sessions:
        return False
    made = {r["batch"] for r in fired[:sessions] if r.get("batch")}
    closed = {r["batch"] for r in records if "drift_after" in r}
    return made <= closed


def first_sessions(records: list[dict[str, Any]], sessions: int) -> list[dict[str, Any]]:
    """The records of the first `sessions` firings (a busy machine may see one more fire before the stop)."""
    kept = {r["fired_at"] for r in records if "drift_before" in r}
    kept = set(sorted(kept)[:sessions])
    return [r for r in records if r["fired_at"] in kept]


def campaign_report(data: Path, records: list[dict[str, Any]]) -> dict[str, Any]:
    today = datetime.now(UTC).date().isoformat()
    result = subprocess.run(
        [str(OMS), "report", "--since", today, "--json"],
        cwd=ROOT,
        env=environment(data, 1.0),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    across = json.loads(result.stdout) if result.returncode == 0 and result.stdout.strip() else {}
    after = {r["batch"]: r["drift_after"] for r in records if "drift_after" in r}
    rebalances = [
        {
            "session": r["fired_at"][:10],
            "batch": r.get("batch"),
            "orders": r.get("orders", 0),
            "drift_before": r["drift_before"],
            "drift_after": after.get(r.get("batch") or ""),
            "note": r.get("note", ""),
        }
        for r in records
        if "drift_before" in r
    ]
    totals = across.get("totals", {})
    return {
        "sessions": len(rebalances),
        "batches": len([r for r in rebalances if r["batch"]]),
        "orders": totals.get("orders", sum(r["orders"] for r in rebalances)),
        "fill_rate": totals.get("fill_rate"),
        "totals": totals,
        "by_algo": across.get("by_algo", []),
        "rebalances": rebalances,
    }


def print_report(report: dict[str, Any]) -> None:
    print(
        f"paper campaign: {report['sessions']} sessions, {report['batches']} rebalance batches, "
        f"{report['orders']} orders, fill rate {report['fill_rate']}, {report['wall_seconds']} s of wall time"
    )
    print()
    print(f"{'algo':<8} {'orders':>6} {'filled':>6} {'fill rate':>9} {'realised bps':>12} {'expected bps':>12}")
    for group in report["by_algo"]:
        print(
            f"{group['key']:<8} {group['orders']:>6} {group['filled_orders']:>6} {group['fill_rate'] or '-':>9} "
            f"{group['slippage_bps'] or '-':>12} {group['expected_cost_bps'] or '-':>12}"
        )
    print()
    print(f"{'session':<11} {'batch':<13} {'orders':>6} {'max drift before':>16} {'after':>8}")
    for row in report["rebalances"]:
        before = f"{float(row['drift_before']) * 100:.2f}pp"
        after = f"{float(row['drift_after']) * 100:.2f}pp" if row["drift_after"] else "-"
        print(
            f"{row['session']:<11} {row['batch'] or '(none)':<13} {row['orders']:>6} {before:>16} {after:>8}"
            + (f"  {row['note']}" if row["note"] else "")
        )
    print(f"\ndata folder: {report['data']}")


if __name__ == "__main__":
    sys.exit(main())
