"""Client order ids: deterministic, written before the first submit, short enough for every broker."""

from __future__ import annotations

import hashlib

MAX_LENGTH = 48  # Alpaca's limit, the tightest of the brokers we speak to


def client_order_id(batch_id: str, sequence: int) -> str:
    """`<batch id>-<sequence>`: the same batch and position always give the same id."""
    coid = f"{batch_id}-{sequence:04d}"
    if len(coid) <= MAX_LENGTH:
        return coid
    digest = hashlib.sha256(batch_id.encode()).hexdigest()[:16]
    return f"{digest}-{sequence:04d}"


def content_hash(*parts: bytes | str) -> str:
    """The identity of a run's input: same files, mode and broker give the same batch."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()
