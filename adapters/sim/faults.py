"""Fault switches: rows in the venue's file, so a test in one process can break the venue another one uses."""

from __future__ import annotations

import sqlite3

REJECT_NEXT = "reject_next"  # value: the reason
TIMEOUT_NEXT = "timeout_next"  # value: "accepted" (kept, reply lost) or "lost" (never reached the venue)
DUPLICATE_FILLS = "duplicate_fills"  # value: "1"
FAIL_REPORTS = "fail_reports"  # value: how many report queries still fail


def peek(conn: sqlite3.Connection, name: str) -> str | None:
    row = conn.execute("SELECT value FROM faults WHERE name = ?", (name,)).fetchone()
    return str(row["value"]) if row else None


def take(conn: sqlite3.Connection, name: str) -> str | None:
    """Return a one-shot switch's value and turn it off."""
    value = peek(conn, name)
    if value is not None:
        put(conn, name, None)
    return value


def put(conn: sqlite3.Connection, name: str, value: str | None) -> None:
    """Set a switch, or clear it with None."""
    if value is None:
        conn.execute("DELETE FROM faults WHERE name = ?", (name,))
    else:
        conn.execute(
            "INSERT INTO faults (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (name, value),
        )
