"""Deterministic client order ids for child orders, always within the broker's length limit.

A child's id is its parent's id, a dash and its sequence number (`B7-12-3`); a replacement sent after a
cancel-then-new reprice adds `r` and the attempt (`B7-12-3r1`), because brokers refuse a client order id they
have already seen. When the parent's id is too long for the limit, its part is shortened the same way for every
child: a prefix of it plus a hash of the whole, so two long parents with the same prefix still differ.
"""

from __future__ import annotations

import hashlib
import re

ALPACA_MAX_LENGTH = 48
# Room kept for the suffix whenever a parent id must be shortened: "-" + 5 digits + "r" + 3 digits.
MAX_SEQUENCE = 99_999
MAX_ATTEMPT = 999
SUFFIX_RESERVE = 10
HASH_LENGTH = 10
MIN_MAX_LENGTH = SUFFIX_RESERVE + HASH_LENGTH + 2
_SAFE = re.compile(r"^[A-Za-z0-9._:-]+$")


def child_client_order_id(
    parent_client_order_id: str, sequence: int, attempt: int = 0, *, max_length: int = ALPACA_MAX_LENGTH
) -> str:
    """Return the client order id of child `sequence` (1-based), replacement `attempt` (0 for the first)."""
    if not parent_client_order_id or not _SAFE.match(parent_client_order_id):
        raise ValueError(f"parent client order id must be letters, digits and . _ : -, got {parent_client_order_id!r}")
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise ValueError(f"child sequence must be between 1 and {MAX_SEQUENCE}, got {sequence}")
    if not 0 <= attempt <= MAX_ATTEMPT:
        raise ValueError(f"attempt must be between 0 and {MAX_ATTEMPT}, got {attempt}")
    if max_length < MIN_MAX_LENGTH:
        raise ValueError(f"max_length must be at least {MIN_MAX_LENGTH}, got {max_length}")
    suffix = f"-{sequence}" + (f"r{attempt}" if attempt else "")
    return shortened_parent(parent_client_order_id, max_length) + suffix


def shortened_parent(parent_client_order_id: str, max_length: int = ALPACA_MAX_LENGTH) -> str:
    """Return the parent part every child id starts with: the id itself, or a prefix and a hash when too long.

    The choice depends only on the parent id and the limit, never on the sequence, so all children of one
    parent share one recognisable prefix.
    """
    room = max_length - SUFFIX_RESERVE
    if len(parent_client_order_id) <= room:
        return parent_client_order_id
    digest = hashlib.sha256(parent_client_order_id.encode()).hexdigest()[:HASH_LENGTH]
    return f"{parent_client_order_id[: room - HASH_LENGTH - 1]}_{digest}"
