"""The log: private, beside the data, rotated by size, third-party chatter at warning, tracebacks inside the line."""

from __future__ import annotations

import json
import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from oms.config import load_settings
from oms.logging import MAX_LOG_BYTES, configure, get_logger, log_exception, log_file_for


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    yield
    configure("warning", None, console=False)


def test_oms_data_dir_moves_the_log_with_the_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """OMS_DATA_DIR puts the log under DATA/log; `[logging] file` still wins when given."""
    monkeypatch.delenv("OMS_LOGGING__FILE", raising=False)
    monkeypatch.setenv("OMS_DATA_DIR", str(tmp_path / "data"))
    assert log_file_for(load_settings()) == tmp_path / "data" / "log" / "oms.jsonl"
    monkeypatch.setenv("OMS_LOGGING__FILE", str(tmp_path / "elsewhere.jsonl"))
    assert log_file_for(load_settings()) == tmp_path / "elsewhere.jsonl"


def test_the_log_file_and_its_folder_are_private(tmp_path: Path) -> None:
    """The log is created 600 in a 700 folder whatever the umask."""
    log = tmp_path / "log" / "oms.jsonl"
    configure("info", log, console=False)
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700


def test_third_party_loggers_stay_at_warning_unless_debug(tmp_path: Path) -> None:
    """alembic, ib_async, apscheduler, httpx and websockets info lines are dropped at info, kept at debug."""
    log = tmp_path / "oms.jsonl"
    configure("info", log, console=False)
    for name in ("alembic", "ib_async", "apscheduler", "httpx", "websockets"):
        logging.getLogger(f"{name}.inner").info("chatter")
    get_logger("oms.test").info("own.event")
    events = [json.loads(line)["event"] for line in log.read_text().splitlines()]
    assert events == ["own.event"]
    configure("debug", log, console=False)
    logging.getLogger("ib_async.wrapper").info("chatter")
    assert "chatter" in log.read_text()


def test_the_log_rotates_by_size(tmp_path: Path) -> None:
    """Past MAX_LOG_BYTES the file rolls over to oms.jsonl.1."""
    log = tmp_path / "oms.jsonl"
    configure("info", log, console=False)
    payload = "x" * 10_000
    for _ in range(MAX_LOG_BYTES // 10_000 + 10):
        get_logger("oms.test").info("big.event", payload=payload)
    assert (tmp_path / "oms.jsonl.1").exists()
    assert log.stat().st_size < MAX_LOG_BYTES


def test_a_traceback_is_rendered_inside_the_json_line(tmp_path: Path) -> None:
    """An exception logged by the CLI boundary is one JSON line carrying the frames, without local variables."""
    log = tmp_path / "oms.jsonl"
    configure("info", log, console=False)
    secret_key = "S3CR3T-in-a-local"  # noqa: F841  (a local a frame would show)
    try:
        raise ValueError("boom")
    except ValueError as exc:
        log_exception("cli.failed", exc)
    (line,) = log.read_text().splitlines()
    record = json.loads(line)
    assert record["event"] == "cli.failed"
    exception = record["exception"]
    assert exception[0]["exc_type"] == "ValueError"
    assert exception[0]["frames"]
    assert "S3CR3T" not in line
