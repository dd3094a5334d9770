"""Run the dashboard: uvicorn serving the app, with the notifier working the ledger beside it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

from oms.config import Settings
from oms.logging import get_logger
from oms.store import Ledger
from oms.web.notify import Notifier
from oms.web.security import Tokens
from oms.web.settings import NotifySettings, ServeSettings

log = get_logger("oms.serve")


async def notify_loop(notifier: Notifier, seconds: float) -> None:
    """Look for new notices every `seconds`; a failing pass is logged and the loop goes on."""
    while True:
        try:
            await asyncio.to_thread(notifier.run_once)
        except Exception as exc:
            log.warning("notify.pass_failed", error=type(exc).__name__)
        await asyncio.sleep(seconds)


def run(
    settings: Settings,
    ledger: Ledger,
    serve: ServeSettings,
    notify: NotifySettings,
    tokens: Tokens,
    *,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve until interrupted (SIGINT or SIGTERM stop it cleanly)."""
    import uvicorn

    from oms.web.app import create_app

    app = create_app(settings, ledger, serve, tokens)
    notifier = Notifier(ledger, notify) if notify.urls else None

    @contextlib.asynccontextmanager
    async def lifespan(_app: object) -> AsyncIterator[None]:
        task = asyncio.create_task(notify_loop(notifier, notify.poll_seconds)) if notifier else None
        scheme = "https" if serve.tls else "http"
        if on_ready is not None:
            on_ready(f"{scheme}://{serve.host}:{serve.port}/")
        try:
            yield
        finally:
            if task is not None:
                task.cancel()

    app.router.lifespan_context = lifespan
    config = uvicorn.Config(
        app,
        host=serve.host,
        port=serve.port,
        ssl_certfile=serve.tls_cert or None,
        ssl_keyfile=serve.tls_key or None,
        server_header=False,
        access_log=False,
        log_level="warning",
    )
    uvicorn.Server(config).run()
