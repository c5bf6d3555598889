"""``riikg serve``: the endpoint under gunicorn, after checking that query workers are confined."""

from __future__ import annotations

import click

from riikg.cli import InputError, cli, pass_settings
from riikg.config import Settings


@cli.command()
@click.option("--host", help="Interface to bind (default from RIIKG_HOST).")
@click.option("--port", type=int, help="Port (default from RIIKG_PORT).")
@click.option(
    "--workers", type=int, default=2, show_default=True, help="gunicorn worker processes."
)
@click.option("--get", "get_path", help="Print the response to one GET of PATH and exit.")
@click.option(
    "--allow-unconfined",
    is_flag=True,
    help="Serve even if query workers cannot be cut off from the network (unsafe).",
)
@pass_settings
def serve(
    settings: Settings,
    host: str | None,
    port: int | None,
    workers: int,
    get_path: str | None,
    allow_unconfined: bool,
) -> None:
    """Serve the endpoint with gunicorn (or answer one --get PATH)."""
    from endpoint import create_app

    if allow_unconfined:
        settings = settings.replace(allow_unconfined=True)
    if get_path:
        app = create_app(settings=settings)
        response = app.test_client().get(get_path)
        click.echo(response.get_data(as_text=True))
        if response.status_code >= 400:
            raise InputError(f"GET {get_path} answered {response.status}")
        return
    from endpoint.server import run_gunicorn

    _check_confinement(settings)
    run_gunicorn(settings, host or settings.host, port or settings.port, workers)


def _check_confinement(settings: Settings) -> None:
    """Before binding: make sure query workers can be cut off from the network.

    A fork of this process tries what every query worker does after its fork; when that
    fails, a public endpoint would let a query reach the network (pyoxigraph's SERVICE),
    so serving needs an explicit ``--allow-unconfined``. Remote stores run no workers;
    with a SERVICE allowlist (federation) workers keep network access on purpose.
    """
    from riikg.config import StoreKind
    from riikg.confine import probe

    if settings.store is StoreKind.REMOTE:
        return
    if settings.service_allowlist:
        click.echo(
            "riikg serve: WARNING: RIIKG_SERVICE_ALLOWLIST is set, so query workers keep "
            "network access; only the query checks limit SERVICE to the allowlist",
            err=True,
        )
        return
    state = probe()
    if state.confined:
        click.echo(f"riikg serve: query workers confined ({state.describe()})", err=True)
        return
    if not settings.allow_unconfined:
        raise InputError(
            f"query workers cannot be cut off from the network ({state.detail}); refusing to "
            "serve: run as root or allow unprivileged user namespaces, or pass "
            "--allow-unconfined (RIIKG_ALLOW_UNCONFINED=1) to serve anyway"
        )
    click.echo(
        "riikg serve: WARNING: query workers are NOT cut off from the network "
        f"({state.detail}); serving anyway because of --allow-unconfined",
        err=True,
    )
