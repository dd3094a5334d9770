"""`oms serve`: the live dashboard, its JSON API and the notifications, over the same ledger as `oms daemon`."""

from __future__ import annotations

from typing import Annotated

import typer

from oms.cli.app import ConfigOption, DbOption, app, console, fail, settings_for
from oms.config import ConfigError


@app.command("serve")
def serve_command(
    host: Annotated[str | None, typer.Option("--host", help="Address to listen on (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port to listen on (default 8765).")] = None,
    insecure: Annotated[
        bool, typer.Option("--insecure", help="Allow a non-loopback address without TLS (tokens travel in clear).")
    ] = False,
    config: ConfigOption = None,
    db: DbOption = None,
) -> None:
    """Serve the supervision dashboard and API; a token is needed for everything but the login page."""
    from oms.bootstrap import data_dir, open_ledger
    from oms.web.security import load_tokens
    from oms.web.server import run
    from oms.web.settings import NotifySettings, ServeSettings, check_bind

    settings = settings_for(config, db)
    try:
        serve = ServeSettings.from_settings(settings, host=host, port=port, insecure=True if insecure else None)
        check_bind(serve)
        notify = NotifySettings.from_settings(settings)
        tokens = load_tokens(data_dir(settings), operator=serve.token, viewer=serve.viewer_token)
    except ConfigError as exc:
        fail(str(exc))
    except (OSError, ValueError) as exc:
        fail(f"serve: tokens: cannot read or write the token file: {exc}")
    if tokens.created:
        # Printed this once; afterwards they are in the data folder, readable by this user only.
        console.print("new access tokens (stored user-only in the data folder; shown this once):", highlight=False)
        console.print(f"  operator: {tokens.operator}", highlight=False, markup=False)
        console.print(f"  viewer:   {tokens.viewer}", highlight=False, markup=False)
    ledger = open_ledger(settings)

    def ready(url: str) -> None:
        console.print(f"serving on {url} (log in at {url}login)", highlight=False)

    try:
        run(settings, ledger, serve, notify, tokens, on_ready=ready)
    finally:
        ledger.close()
