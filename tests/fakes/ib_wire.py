"""The TWS API wire format, server side: framing and the field lists the fake gateway sends.

Every message after the handshake is a 4-byte big-endian length followed by NUL-terminated fields. The field lists
below follow, field by field, what ib_async's `Decoder` unpacks at server versions 176 and 178 (its `openOrder`,
`completedOrder`, `execDetails`, `contractDetails`...): a list one field short or long shifts every later field, and
the client then drops or misreads the message without a word, so each builder is kept flat and commented.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

# Incoming message ids (client -> gateway).
PLACE_ORDER = 3
CANCEL_ORDER = 4
REQ_OPEN_ORDERS = 5
REQ_ACCOUNT_UPDATES = 6
REQ_EXECUTIONS = 7
REQ_IDS = 8
REQ_CONTRACT_DETAILS = 9
REQ_AUTO_OPEN_ORDERS = 15
REQ_ALL_OPEN_ORDERS = 16
REQ_CURRENT_TIME = 49
REQ_POSITIONS = 61
START_API = 71
REQ_ACCOUNT_UPDATES_MULTI = 76
REQ_COMPLETED_ORDERS = 99

# Outgoing message ids (gateway -> client).
ORDER_STATUS = 3
ERROR = 4
OPEN_ORDER = 5
ACCOUNT_VALUE = 6
ACCOUNT_TIME = 8
NEXT_VALID_ID = 9
CONTRACT_DATA = 10
EXECUTION_DATA = 11
MANAGED_ACCOUNTS = 15
CURRENT_TIME = 49
CONTRACT_DATA_END = 52
OPEN_ORDER_END = 53
ACCOUNT_DOWNLOAD_END = 54
EXECUTION_DATA_END = 55
COMMISSION_REPORT = 59
POSITION_DATA = 61
POSITION_END = 62
ACCOUNT_UPDATE_MULTI = 73
ACCOUNT_UPDATE_MULTI_END = 74
COMPLETED_ORDER = 101
COMPLETED_ORDERS_END = 102

FA_PROFILE_DROPPED = 177  # from this server version on, orders no longer carry faProfile
PENDING_PRICE_REVISION = 178  # from this version on, executions carry pendingPriceRevision

EASTERN = ZoneInfo("US/Eastern")


def frame(fields: list[object]) -> bytes:
    """Encode one message: each field as text plus NUL, the whole prefixed by its length."""
    payload = "".join(f"{_text(value)}\0" for value in fields).encode()
    return struct.pack(">I", len(payload)) + payload


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def ib_time(at: datetime) -> str:
    """The `yyyymmdd hh:mm:ss zone` form the client parses with an explicit time zone."""
    return at.astimezone(UTC).strftime("%Y%m%d %H:%M:%S") + " UTC"


def ib_execution_time(at: datetime, *, zoneless: bool) -> str:
    """An execution time in one of the two forms TWS sends: zone-less `yyyymmdd-hh:mm:ss`, which is UTC (ib_async
    issue 230), or `yyyymmdd hh:mm:ss US/Eastern`, in the gateway's own zone."""
    if zoneless:
        return at.astimezone(UTC).strftime("%Y%m%d-%H:%M:%S")
    return at.astimezone(EASTERN).strftime("%Y%m%d %H:%M:%S") + " US/Eastern"


@dataclass
class Listing:
    """One instrument the gateway knows."""

    symbol: str
    con_id: int
    primary_exchange: str = "NASDAQ"
    long_name: str = ""
    price: Decimal = Decimal("100")


@dataclass
class GatewayOrder:
    """One order as the gateway holds it; `perm_id` is its stable identity."""

    perm_id: int
    order_id: int
    client_id: int
    listing: Listing
    action: str  # BUY / SELL
    quantity: Decimal
    order_type: str  # MKT / LMT / STP / STP LMT
    limit_price: Decimal | None
    aux_price: Decimal | None
    tif: str
    account: str
    order_ref: str
    outside_rth: bool = False
    status: str = "Submitted"
    filled: Decimal = Decimal(0)
    notional: Decimal = Decimal(0)
    completed_at: datetime | None = None
    completed_status: str = ""
    held: bool = False  # taken, but held by a TWS precaution: invisible to every client until released
    why_held: str = ""

    @property
    def remaining(self) -> Decimal:
        return self.quantity - self.filled

    @property
    def average_price(self) -> Decimal:
        return self.notional / self.filled if self.filled else Decimal(0)

    @property
    def is_open(self) -> bool:
        if self.status == "Inactive":
            return bool(self.why_held)  # Inactive while IB locates shares to borrow: alive, listed as open
        return self.status not in ("Filled", "Cancelled", "ApiCancelled")


@dataclass
class GatewayExecution:
    exec_id: str
    order: GatewayOrder
    shares: Decimal
    price: Decimal
    at: datetime
    cum_qty: Decimal
    avg_price: Decimal
    commission: Decimal = field(default=Decimal("1.00"))
    zoneless_time: bool = True  # which of TWS's two time forms this execution is reported in


def _contract_head(listing: Listing) -> list[object]:
    # conId, symbol, secType, lastTradeDateOrContractMonth, strike, right, multiplier, exchange, currency,
    # localSymbol, tradingClass
    return [listing.con_id, listing.symbol, "STK", "", "", "", "", "SMART", "USD", listing.symbol, "NMS"]


def _order_head(order: GatewayOrder) -> list[object]:
    # action, totalQuantity, orderType, lmtPrice, auxPrice, tif, ocaGroup, account, openClose, origin, orderRef
    return [
        order.action,
        order.quantity,
        order.order_type,
        order.limit_price,
        order.aux_price,
        order.tif,
        "",
        order.account,
        "",
        0,
        order.order_ref,
    ]


def open_order(version: int, order: GatewayOrder) -> list[object]:
    """The openOrder message (5), as ib_async's Decoder.openOrder reads it."""
    fields: list[object] = [OPEN_ORDER, order.order_id, *_contract_head(order.listing), *_order_head(order)]
    # clientId, permId, outsideRth, hidden, discretionaryAmt, goodAfterTime, sharesAllocation, faGroup, faMethod,
    # faPercentage
    fields += [order.client_id, order.perm_id, order.outside_rth, 0, 0, "", "", "", "", ""]
    if version < FA_PROFILE_DROPPED:
        fields += [""]  # faProfile
    # modelCode, goodTillDate, rule80A, percentOffset, settlingFirm, shortSaleSlot, designatedLocation, exemptCode,
    # auctionStrategy, startingPrice, stockRefPrice, delta, stockRangeLower, stockRangeUpper, displaySize,
    # blockOrder, sweepToFill, allOrNone, minQty, ocaType, eTradeOnly, firmQuoteOnly, nbboPriceCap, parentId,
    # triggerMethod, volatility, volatilityType, deltaNeutralOrderType, deltaNeutralAuxPrice
    fields += ["", "", "", "", "", 0, "", -1, 0, "", "", "", "", "", "", 0, 0, 0, "", 3, 0, 0, "", 0, 0, "", 0, "", ""]
    # continuousUpdate, referencePriceType, trailStopPrice, trailingPercent, basisPoints, basisPointsType,
    # comboLegsDescrip, then counts of combo legs, order combo legs and smart routing params
    fields += [0, 0, "", "", "", "", "", 0, 0, 0]
    # scaleInitLevelSize, scaleSubsLevelSize, scalePriceIncrement, hedgeType
    fields += ["", "", "", ""]
    # optOutSmartRouting, clearingAccount, clearingIntent, notHeld, deltaNeutralContract present, algoStrategy
    fields += [0, "", "IB", 0, 0, ""]
    # solicited, whatIf, status, nine margin fields, commission, minCommission, maxCommission, commissionCurrency,
    # warningText, randomizeSize, randomizePrice
    fields += [0, 0, order.status, *[""] * 9, "", "", "", "", "", 0, 0]
    # number of conditions
    fields += [0]
    # adjustedOrderType, triggerPrice, trailStopPrice, lmtPriceOffset, adjustedStopPrice, adjustedStopLimitPrice,
    # adjustedTrailingAmount, adjustableTrailingUnit, softDollarTier name/value/displayName, cashQty,
    # dontUseAutoPriceForHedge, isOmsContainer, discretionaryUpToLimitPrice, usePriceMgmtAlgo
    fields += ["None", "", "", "", "", "", "", 0, "", "", "", "", 0, 0, 0, 0]
    # duration (159+), postToAts (160+), autoCancelParent (162+), then five peg fields (170+)
    fields += ["", "", 0, "", "", "", "", ""]
    return fields


def completed_order(version: int, order: GatewayOrder) -> list[object]:
    """The completedOrder message (101): no orderId or clientId, the final status and the filled quantity."""
    fields: list[object] = [COMPLETED_ORDER, *_contract_head(order.listing), *_order_head(order)]
    # permId, outsideRth, hidden, discretionaryAmt, goodAfterTime, faGroup, faMethod, faPercentage
    fields += [order.perm_id, order.outside_rth, 0, 0, "", "", "", ""]
    if version < FA_PROFILE_DROPPED:
        fields += [""]  # faProfile
    # modelCode, goodTillDate, rule80A, percentOffset, settlingFirm, shortSaleSlot, designatedLocation, exemptCode,
    # startingPrice, stockRefPrice, delta, stockRangeLower, stockRangeUpper, displaySize, sweepToFill, allOrNone,
    # minQty, ocaType, triggerMethod, volatility, volatilityType, deltaNeutralOrderType, deltaNeutralAuxPrice
    fields += ["", "", "", "", "", 0, "", -1, "", "", "", "", "", "", 0, 0, "", 3, 0, "", 0, "", ""]
    # continuousUpdate, referencePriceType, trailStopPrice, trailingPercent, comboLegsDescrip, three counts
    fields += [0, 0, "", "", "", 0, 0, 0]
    # scaleInitLevelSize, scaleSubsLevelSize, scalePriceIncrement, hedgeType
    fields += ["", "", "", ""]
    # clearingAccount, clearingIntent, notHeld, deltaNeutralContract present, algoStrategy
    fields += ["", "IB", 0, 0, ""]
    # solicited, status, randomizeSize, randomizePrice, number of conditions
    fields += [0, order.status, 0, 0, 0]
    completed_at = ib_time(order.completed_at or datetime.now(UTC))
    # trailStopPrice, lmtPriceOffset, cashQty, dontUseAutoPriceForHedge, isOmsContainer, autoCancelDate,
    # filledQuantity, refFuturesConId, autoCancelParent, shareholder, imbalanceOnly, routeMarketableToBbo,
    # parentPermId, completedTime, completedStatus
    fields += ["", "", "", 0, 0, "", order.filled, "", 0, "", 0, 0, "", completed_at, order.completed_status]
    # five peg fields (170+)
    fields += ["", "", "", "", ""]
    return fields


def order_status(order: GatewayOrder) -> list[object]:
    """orderStatus (3): id, status, filled, remaining, avgFillPrice, permId, parentId, lastFillPrice, clientId,
    whyHeld, mktCapPrice."""
    return [
        ORDER_STATUS,
        order.order_id,
        order.status,
        order.filled,
        order.remaining if order.is_open else 0,
        order.average_price,
        order.perm_id,
        0,
        order.average_price,
        order.client_id,
        order.why_held,
        0,
    ]


def execution(version: int, req_id: int, fill: GatewayExecution) -> list[object]:
    """execDetails (11); `req_id` is -1 for a live execution."""
    order = fill.order
    fields: list[object] = [EXECUTION_DATA, req_id, order.order_id]
    # conId, symbol, secType, lastTradeDateOrContractMonth, strike, right, multiplier, exchange, currency,
    # localSymbol, tradingClass
    listing = order.listing
    fields += [listing.con_id, listing.symbol, "STK", "", "", "", "", listing.primary_exchange, "USD"]
    fields += [listing.symbol, "NMS"]
    # execId, time, acctNumber, exchange, side, shares, price, permId, clientId, liquidation, cumQty, avgPrice,
    # orderRef, evRule, evMultiplier, modelCode, lastLiquidity
    side = "BOT" if order.action == "BUY" else "SLD"
    fields += [
        fill.exec_id,
        ib_execution_time(fill.at, zoneless=fill.zoneless_time),
        order.account,
        listing.primary_exchange,
        side,
        fill.shares,
    ]
    fields += [fill.price, order.perm_id, order.client_id, 0, fill.cum_qty, fill.avg_price, order.order_ref]
    fields += ["", "", "", 1]
    if version >= PENDING_PRICE_REVISION:
        fields += [0]
    return fields


def commission_report(fill: GatewayExecution) -> list[object]:
    """commissionReport (59): execId, commission, currency, realizedPNL, yield, yieldRedemptionDate."""
    return [COMMISSION_REPORT, 1, fill.exec_id, fill.commission, "USD", "", "", ""]


def contract_details(req_id: int, listing: Listing) -> list[object]:
    """contractData (10) at server versions 164 and later (no version field)."""
    # reqId, symbol, secType, lastTradeDateOrContractMonth, strike, right, exchange, currency, localSymbol,
    # marketName, tradingClass, conId, minTick
    fields: list[object] = [CONTRACT_DATA, req_id, listing.symbol, "STK", "", "", "", "SMART", "USD"]
    fields += [listing.symbol, "NMS", "NMS", listing.con_id, "0.01"]
    # multiplier, orderTypes, validExchanges, priceMagnifier, underConId, longName, primaryExchange,
    # contractMonth, industry, category, subcategory, timeZoneId, tradingHours, liquidHours, evRule,
    # evMultiplier, number of secIds
    fields += ["", "LMT,MKT,STP", f"SMART,{listing.primary_exchange}", 1, 0, listing.long_name or listing.symbol]
    fields += [listing.primary_exchange, "", "", "", "", "US/Eastern", "", "", "", "", 0]
    # aggGroup, underSymbol, underSecType, marketRuleIds, realExpirationDate, stockType, minSize, sizeIncrement,
    # suggestedSizeIncrement
    fields += [1, "", "", "26", "", "COMMON", "1", "1", "100"]
    return fields


def position(account: str, listing: Listing, quantity: Decimal, average_cost: Decimal) -> list[object]:
    """position (61): account, the contract without primaryExchange, position, avgCost."""
    head = [listing.con_id, listing.symbol, "STK", "", "", "", "", "SMART", "USD", listing.symbol, "NMS"]
    return [POSITION_DATA, 3, account, *head, quantity, average_cost]


def error(version: int, req_id: int, code: int, message: str) -> list[object]:
    """error (4): reqId (an order id, or -1), code, text, and the advanced reject JSON from version 166."""
    fields: list[object] = [ERROR, 2, req_id, code, message]
    if version >= 166:
        fields += [""]
    return fields
