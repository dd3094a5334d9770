"""Logs: JSON lines in the file, every secret-shaped value redacted before it is written anywhere."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import SecretStr

from oms.logging import configure, get_logger, redact_value


def test_secret_named_fields_and_secret_shaped_text_are_redacted(tmp_path: Path) -> None:
    """Keys, tokens, passwords and Authorization headers never reach the log file."""
    log_file = tmp_path / "oms.jsonl"
    configure("info", log_file, console=False)
    get_logger().info(
        "broker.request",
        api_key="AKXXXXSECRET1",
        password="hunter2",
        headers={"Authorization": "Bearer abcdefghijklmnop", "APCA-API-SECRET-KEY": "s3cr3tvalue"},
        note="retrying with token=abc123def456",
        secret=SecretStr("hidden"),
        symbol="AAPL",
    )
    text = log_file.read_text()
    for secret in ("AKXXXXSECRET1", "hunter2", "abcdefghijklmnop", "s3cr3tvalue", "abc123def456", "hidden"):
        assert secret not in text
    record = json.loads(text.splitlines()[-1])
    assert record["event"] == "broker.request"
    assert record["symbol"] == "AAPL"
    assert record["level"] == "info"
    assert record["timestamp"].endswith("Z") or "+00:00" in record["timestamp"]


def test_redaction_leaves_ordinary_values_alone() -> None:
    """Ordinary trading fields pass through unchanged."""
    value = {"symbol": "SPY", "quantity": "100", "nested": ["fine", {"client_order_id": "b1-0001"}]}
    assert redact_value(value) == value
