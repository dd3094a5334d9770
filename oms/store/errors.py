"""What the store tells its callers when a write cannot happen as asked."""


class ConcurrencyConflict(Exception):
    """Another writer changed the same record first; reload it and retry from fresh state."""


class DuplicateRecord(Exception):
    """A record with the same identity exists already (an order id, a client order id, a batch id)."""
