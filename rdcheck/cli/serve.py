"""`rdcheck serve`: start the self-check page and the bureau's desk (needs the `web` extra)."""

from __future__ import annotations

import click

from ..errors import RdcheckError
from . import UsageFailure


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every one).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--register", "register_path", type=click.Path(dir_okay=False, path_type=str),
              help="The season's register (SQLite); uploads are kept beside it.")  # fmt: skip
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=str),
              help="Bureau configuration (rules, limits, and web: bureau_password, max_upload_mb, timeout).")  # fmt: skip
@click.option("--district", "district_path", type=click.Path(exists=True, dir_okay=False, path_type=str),
              help="district.yaml, for the bureau's rollup and follow-up list.")  # fmt: skip
@click.option("--roster", "roster_path", type=click.Path(exists=True, dir_okay=False, path_type=str),
              help="Enterprises expected to submit (csv or xlsx), for the follow-up list.")  # fmt: skip
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Checks run at once, each in its own process (default: the cores).")  # fmt: skip
@click.option("--proxy-headers", is_flag=True,
              help="Trust X-Forwarded-For/-Proto from the reverse proxy on this machine (for HTTPS cookies).")  # fmt: skip
def serve(
    host: str,
    port: int,
    register_path: str | None,
    config_path: str | None,
    district_path: str | None,
    roster_path: str | None,
    workers: int | None,
    proxy_headers: bool,
) -> None:
    """Serve the self-check page (/), the JSON API (/api/check, /docs) and the bureau's desk (/bureau)."""
    try:
        import uvicorn

        from ..web import WebSettings, create_app
    except ModuleNotFoundError as exc:
        raise UsageFailure(f"rdcheck serve 需要网页组件：pip install 'rdcheck[web]'（缺少 {exc.name}）") from None
    from ..district.pool import default_jobs

    try:
        settings = WebSettings.from_config(
            config_path, register_path=register_path, district_path=district_path, roster_path=roster_path,
            workers=workers or default_jobs(),
        )  # fmt: skip
        app = create_app(settings)
    except RdcheckError as exc:
        raise UsageFailure(exc.message("zh")) from None
    where = f"http://{host}:{port}/"
    click.echo(f"rdcheck serve：{where}（科技局办公桌 {where}bureau；按 Ctrl+C 停止）", err=True)
    if not settings.bureau_password:
        click.echo("提示：未设置 RDCHECK_BUREAU_PASSWORD 或 web.bureau_password，办公桌 /bureau 已关闭", err=True)
    uvicorn.run(
        app, host=host, port=port, log_level="warning", proxy_headers=proxy_headers,
        forwarded_allow_ips="127.0.0.1" if proxy_headers else None, server_header=False,
    )  # fmt: skip
