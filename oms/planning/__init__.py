"""Planning: turn trade recommendations or target weights into a plan a careful trader would sign.

intake (CSV/JSON) -> guidance (order type, limit, algo, cost) -> sequencing (waves) -> funding (sells fund buys).
"""
