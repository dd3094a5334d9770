"""The conformance suite's venue for Interactive Brokers: IbkrBroker on the real ib_async client, against the fake
TWS gateway on loopback, steered in-process."""

from __future__ import annotations

from decimal import Decimal

from adapters.ibkr import IbkrBroker
from adapters.ibkr.settings import IbkrSettings
from oms.ports import Broker
from tests.fakes.ib_gateway import FakeIbGateway

ACCOUNT = "DU1234567"


class IbkrVenueHarness:
    """A `VenueHarness` (tests/acceptance/harness.py) for one server version of the fake gateway."""

    symbol = "AAPL"
    reference_price = Decimal("190.00")

    def __init__(self, gateway: FakeIbGateway, ack_timeout: float, timeout: float) -> None:
        self.gateway = gateway
        self._ack_timeout = ack_timeout
        self._timeout = timeout
        self.client_id = 17  # a restart may come back under another one
        self._ibkr = self._new_broker()
        self.broker: Broker = self._ibkr

    @classmethod
    async def start(
        cls, server_version: int = 178, *, ack_timeout: float = 0.5, request_timeout: float = 3.0
    ) -> IbkrVenueHarness:
        """Start a gateway speaking `server_version` and connect a fresh adapter to it."""
        gateway = FakeIbGateway(server_version=server_version, account=ACCOUNT)
        await gateway.start()
        harness = cls(gateway, ack_timeout, request_timeout)
        await harness._ibkr.connect()
        return harness

    def _new_broker(self) -> IbkrBroker:
        settings = IbkrSettings(
            port=self.gateway.port, client_id=self.client_id, account=ACCOUNT, timeout_seconds=self._timeout
        )
        # A short acknowledgement timeout keeps the lost-acknowledgement card fast; reconnects retry quickly.
        return IbkrBroker(settings, ack_timeout=self._ack_timeout, reconnect_delays=(0.05, 0.1, 0.2))

    async def execute(self, client_order_id: str, quantity: Decimal, price: Decimal | None = None) -> None:
        order = self.gateway.order_by_ref(client_order_id)
        self.gateway.execute(order, quantity, price if price is not None else order.limit_price or self.reference_price)

    async def reject_next_submission(self, reason: str) -> None:
        self.gateway.fail_next_order(201, f"Order rejected - reason:{reason}")

    async def lose_next_acknowledgement(self) -> None:
        self.gateway.silence_next_acknowledgement()

    async def duplicate_reports(self) -> None:
        self.gateway.duplicate_executions = True

    async def restart_adapter(self) -> Broker:
        await self._ibkr.close()
        self._ibkr = self._new_broker()
        await self._ibkr.connect()
        self.broker = self._ibkr
        return self.broker

    async def close(self) -> None:
        await self._ibkr.close()
        await self.gateway.stop()


async def open_harness(tmp_path: object = None, server_version: str = "178") -> IbkrVenueHarness:
    """The conformance suite's entry point (tests/acceptance/conftest.py): a gateway and a connected adapter."""
    return await IbkrVenueHarness.start(int(server_version))
