"""The enterprise's side of `rdcheck serve`: the upload page, the HTML and JSON reports, downloads, health.

The routes only move bytes and render: checking happens in rdcheck.web.jobs (the worker pool), words in
rdcheck.web.i18n, the report's shape in rdcheck.web.view, the bureau's desk in rdcheck.web.bureau.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect

from .. import __version__
from ..report import json as json_report
from .i18n import lang_of, words
from .jobs import Job, JobStore, start_fork_server
from .limits import UploadLimit, over_limit, too_large_text
from .security import Guard
from .settings import MB, WORKBOOK_TYPES, WebSettings
from .view import report_view

HERE = Path(__file__).parent
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
CHUNK = 1 << 20


class Refused(Exception):
    """A request the page answers with an error page (or JSON for the API) and a 4xx status."""

    def __init__(self, status: int, key: str, detail: tuple[str, str] | None = None) -> None:
        super().__init__(key)
        self.status, self.key, self.detail = status, key, detail

    def text(self, lang: str) -> str:
        if self.detail is not None:
            return self.detail[1] if lang == "en" else self.detail[0]
        return words(lang)[self.key]


def create_app(settings: WebSettings | None = None) -> FastAPI:
    settings = settings or WebSettings()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        start_fork_server()
        yield
        store.close()

    app = FastAPI(
        lifespan=lifespan,
        title="rdcheck",
        version=__version__,
        description="研发支出辅助账检查 — check an R&D auxiliary ledger (the JSON of `rdcheck check --format json`).",
        docs_url=None,  # FastAPI's own docs page loads Swagger from a CDN: intranets have none. See /docs.
        redoc_url=None,
    )
    keep = str(Path(settings.register_path).parent / "uploads") if settings.register_path else None
    store = JobStore(
        settings.work_dir, settings.workers, settings.timeout, settings.link_seconds, settings.config_path, keep,
        settings.max_queue,
    )  # fmt: skip
    guard = Guard(settings.secret, settings.bureau_password)
    from .season import Season

    app.state.district, app.state.roster = _district(settings)
    app.state.season = Season(
        store.root, settings.workers, settings.timeout, settings.config_path, settings.register_path,
        app.state.roster,
    )  # fmt: skip
    templates = Jinja2Templates(directory=str(HERE / "templates"))  # .html: autoescaped
    app.state.settings, app.state.store, app.state.guard, app.state.templates = settings, store, guard, templates
    app.add_middleware(UploadLimit, max_bytes=settings.max_upload, larger={"/bureau/rounds": settings.max_round})

    @app.middleware("http")
    async def _headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"  # a report's address is its key: never pass it on
        response.headers["X-Frame-Options"] = "DENY"
        return response

    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    def page(request: Request, name: str, lang: str, status: int = 200, **context: Any) -> HTMLResponse:
        base = {"w": words(lang), "lang": lang, "minutes": int(settings.link_seconds // 60), "tr": _tr(lang)}
        response = templates.TemplateResponse(request, name, {**base, **context}, status_code=status)
        response.headers["Cache-Control"] = "no-store"
        return response

    app.state.page = page

    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused) -> Response:
        lang = lang_of(request.query_params.get("lang"))
        if request.url.path.startswith("/api/"):
            return JSONResponse({"status": "error", "error": exc.text(lang)}, status_code=exc.status)
        return page(request, "error.html", lang, exc.status, message=exc.text(lang))

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request, lang: str = "zh") -> HTMLResponse:
        lang = lang_of(lang)
        return page(request, "index.html", lang, csrf=guard.form_token(), mb=f"{settings.max_upload / MB:g}")

    @app.get("/template", summary="The empty standard workbook (标准模板)", response_class=FileResponse)
    def template() -> FileResponse:
        path = store.root / "template.xlsx"
        if not path.exists():
            from ..template import write_template

            tmp = store.root / "template.tmp.xlsx"
            write_template(tmp)
            tmp.replace(path)
        return _attachment(path, "研发支出辅助账模板.xlsx")

    @app.post("/check", response_class=HTMLResponse, include_in_schema=False)
    async def check_page(request: Request) -> Response:
        form_lang = lang_of(request.query_params.get("lang"))
        job = await _receive(request, store, guard, form_lang, page=True)
        if request.headers.get("x-rdcheck-async") == "1":  # the page's script: it polls /jobs/{id} for progress
            return JSONResponse({"id": job.id, "status": f"/jobs/{job.id}", "report": f"/report/{job.id}"}, 202)
        await _finished(job)
        return _report(request, job)

    @app.get("/jobs/{job_id}", include_in_schema=False)
    def job_status(job_id: str) -> JSONResponse:
        job = store.get(job_id)
        if job is None:
            return JSONResponse({"state": "gone"}, status_code=404)
        return JSONResponse({"state": job.state, "position": store.position(job), "elapsed": round(job.elapsed, 1)})

    @app.get("/report/{job_id}", response_class=HTMLResponse, include_in_schema=False)
    def report(request: Request, job_id: str, view: str = "") -> Response:
        job = store.get(job_id)
        if job is None:
            raise Refused(404, "not_found")
        if job.state != "done":  # without JavaScript: a page that refreshes itself until the check is done
            position = store.position(job)
            response = page(request, "wait.html", job.lang, position=position, job=job)
            response.headers["Refresh"] = "2"
            return response
        return _report(request, job, printable=view == "print")

    def _report(request: Request, job: Job, printable: bool = False) -> Response:
        result = job.result or {}
        status = 422 if result.get("status") == "error" else 200
        return page(
            request, "report.html", job.lang, status, r=report_view(result, job.lang), job=job, printable=printable
        )

    @app.get("/download/{job_id}", include_in_schema=False)
    def download(job_id: str) -> Response:
        job = store.get(job_id)
        if job is None or job.feedback is None or not job.feedback.exists():
            raise Refused(404, "not_found")
        return _attachment(job.feedback, f"{Path(job.name).stem or 'ledger'}-检查结果.xlsx")

    @app.post(
        "/api/check",
        summary="Check one workbook; the body is exactly `rdcheck check --format json`",
        description="multipart/form-data with the workbook in field `file`; `?lang=en` for English messages. "
        "200 with the report (status pass/warn/fail), 422 when the file cannot be read "
        '(`{"file", "status": "error", "error"}`), 413 over the upload cap, 415 not a workbook.',
        responses={200: {"content": {"application/json": {}}}, 413: {}, 415: {}, 422: {}},
    )
    async def api_check(request: Request, lang: str = "zh") -> Response:
        job = await _receive(request, store, guard, lang_of(lang), page=False)
        await _finished(job)
        result = {k: v for k, v in (job.result or {}).items() if not k.startswith("_")}
        if result.get("status") == "error":
            result = json_report.unreadable(job.name, str(result.get("error", "")))
        body = json_report.render(result)
        return Response(body, status_code=422 if result["status"] == "error" else 200, media_type="application/json")

    @app.get("/healthz", summary="200 when the server is ready to check")
    def healthz() -> JSONResponse:
        return JSONResponse({"status": "ok", "rdcheck": __version__, "workers": store.workers, **store.load()})

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs(request: Request, lang: str = "zh") -> HTMLResponse:
        spec = app.openapi()
        return page(request, "docs.html", lang_of(lang), spec=spec, spec_json=json.dumps(spec, indent=2))

    from .bureau import router
    from .register_pages import router as register_router

    app.include_router(register_router)
    app.include_router(router)
    return app


async def _receive(request: Request, store: JobStore, guard: Guard, lang: str, page: bool) -> Job:
    """Read the multipart upload straight into a new job's folder and queue it; refuse what is not a workbook."""
    settings: WebSettings = request.app.state.settings
    try:
        form = await request.form(max_files=1, max_fields=8)
    except ClientDisconnect:
        limit = over_limit(request.scope)
        if limit is not None:
            raise Refused(413, "limit", too_large_text(limit)) from None
        raise
    except Exception:  # a malformed multipart body
        raise Refused(400, "no_file") from None
    try:
        lang = lang_of(form.get("lang") or lang)
        token = form.get("csrf")
        if page and token is not None and not guard.check_form_token(str(token)):
            raise Refused(403, "bad_form")
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise Refused(400, "no_file")
        name = Path(upload.filename.replace("\\", "/")).name[:200] or "ledger.xlsx"
        suffix = Path(name).suffix.lower()
        magic = WORKBOOK_TYPES.get(suffix)
        head = await upload.read(8)
        if magic is None or not head.startswith(magic):
            raise Refused(415, "bad_type")
        if store.busy():
            raise Refused(503, "busy")
        job = store.new(name, suffix, lang)
        size = len(head)
        with open(job.upload, "wb") as out:
            out.write(head)
            while chunk := await upload.read(CHUNK):
                size += len(chunk)
                if size > settings.max_upload:
                    raise Refused(413, "limit", too_large_text(settings.max_upload))
                out.write(chunk)
        return store.submit(job)
    finally:
        await form.close()


def _district(settings: WebSettings) -> tuple[Any, Any]:
    """district.yaml and the roster for the bureau's rollup and follow-up list (None when not given)."""
    from ..district.plan import load_district, load_roster

    district = load_district(settings.district_path) if settings.district_path else None
    roster = load_roster(settings.roster_path) if settings.roster_path else None
    return district, roster


def _tr(lang: str) -> Any:
    """tr(zh, en) in a template: the bureau pages' few words, in the page's language."""
    return lambda zh, en: en if lang == "en" else zh


async def _finished(job: Job) -> None:
    while not job.done.is_set():
        await asyncio.sleep(0.05)


def _attachment(path: Path, filename: str) -> FileResponse:
    ascii_name = "".join(c if c.isascii() and c.isalnum() or c in ".-_" else "_" for c in filename)
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return FileResponse(
        path,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )
