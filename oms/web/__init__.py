"""`oms serve`: the supervisor's live dashboard, its JSON API and the notifications, over the same ledger."""
