"""The reason codes a TCA row may carry, what each means, and which deserve a person's attention."""

from __future__ import annotations

NOTES: dict[str, str] = {
    "COST_ABOVE_EXPECTED": "slippage against arrival is above the guidance's expected cost",
    "REJECTED": "the order was rejected; its whole quantity is opportunity cost",
    "NOT_FILLED": "nothing was filled; the whole quantity is opportunity cost",
    "PARTIALLY_FILLED": "part of the order was not filled; that part is opportunity cost",
    "STILL_WORKING": "the order is still open: figures will change",
    "NO_BENCHMARK": "no decision, arrival or reference price: slippage cannot be measured",
    "ARRIVAL_FROM_REFERENCE": "no arrival price recorded: the reference price at submission stands in",
    "ARRIVAL_FROM_DECISION": "no arrival price recorded: the decision price stands in (no delay cost shown)",
    "ARRIVAL_TIME_FROM_CREATION": "never submitted: times are measured from the order's creation",
    "DECISION_FROM_ARRIVAL": "no decision price: the arrival price stands in",
    "END_PRICE_ESTIMATED": "no end-of-run price: the last known price marks the unfilled part",
    "NO_SPREAD": "the broker quoted no bid and ask at arrival: the whole trading cost is shown as impact",
    "FILL_BEFORE_ARRIVAL": "a fill is stamped before the arrival (two clocks disagree): no duration is shown",
    "NO_REFERENCE_PRICES": "an algorithm order without reference prices: no TWAP/VWAP comparison",
}

WARNINGS = frozenset(
    {
        "COST_ABOVE_EXPECTED",
        "REJECTED",
        "NOT_FILLED",
        "PARTIALLY_FILLED",
        "STILL_WORKING",
        "NO_BENCHMARK",
        "FILL_BEFORE_ARRIVAL",
    }
)


def code_of(note: str) -> str:
    """Return the code of a note; `REJECTED:RISK_MAX_ORDER_VALUE` carries the reject reason after the colon."""
    return note.split(":", 1)[0]


def is_warning(note: str) -> bool:
    return code_of(note) in WARNINGS


def explain(note: str) -> str:
    return NOTES.get(code_of(note), note)
