"""No key or secret reaches a log, an error or a repr, even at debug level and on authentication failures."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import SecretStr

from oms.logging import configure
from oms.ports import BrokerRejected
from tests.fakes.alpaca_emulator import AlpacaEmulator
from tests.integration.alpaca.conftest import BrokerFactory, order


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "oms.jsonl"
    configure("debug", path, console=False)
    yield path
    configure("info", None, console=False)
    logging.getLogger().setLevel(logging.WARNING)


async def test_a_session_logs_no_secret(make_broker: BrokerFactory, emulator: AlpacaEmulator, log_file: Path) -> None:
    """Connect, trade, drop the stream and fail authentication: the log holds neither key."""
    broker = await make_broker()
    await broker.submit(order("sec-1", 10, limit="191.00"))
    emulator.venue.execute("sec-1", Decimal(10))
    emulator.drop_stream()
    await broker.fill_reports()
    with pytest.raises(BrokerRejected) as caught:
        await make_broker(secret_key=SecretStr("a-wrong-secret"))
    await broker.close()
    text = await asyncio.to_thread(log_file.read_text)
    assert "alpaca.connected" in text  # the log was written
    for secret in (emulator.secret_key, emulator.key_id, "a-wrong-secret"):
        assert secret not in text
        assert secret not in str(caught.value)
        assert secret not in repr(broker)
