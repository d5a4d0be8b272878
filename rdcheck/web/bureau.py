"""The bureau's desk, /bureau/…: login, the rounds (zip upload, progress, each submission's report), the
follow-up list and the rollup with its charts. Every page needs a session; every form carries its CSRF token.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect

from .bureau_view import follow_up_rows, rollup_view, round_rows
from .i18n import lang_of
from .limits import over_limit, too_large_text
from .security import COOKIE, Session, cookie_options
from .view import report_view

router = APIRouter(prefix="/bureau", include_in_schema=False)


class NeedLogin(Exception):
    pass


def _state(request: Request) -> Any:
    return request.app.state


def _lang(request: Request) -> str:
    return lang_of(request.query_params.get("lang"))


def _session(request: Request) -> Session:
    session = _state(request).guard.session(request.cookies.get(COOKIE))
    if session is None:
        raise NeedLogin
    return session


def _page(request: Request, name: str, session: Session | None, status: int = 200, **context: Any) -> HTMLResponse:
    csrf = session.csrf if session is not None else _state(request).guard.form_token()
    return _state(request).page(request, name, _lang(request), status, csrf=csrf, session=session, **context)


def _to(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


async def _form(request: Request, session: Session | None) -> Any:
    """The posted form, after its CSRF token: the session's own, or (login) the page's signed one."""
    try:
        form = await request.form(max_files=1, max_fields=8)
    except ClientDisconnect:
        limit = over_limit(request.scope)
        if limit is None:
            raise
        raise _Refused(413, too_large_text(limit)) from None
    guard = _state(request).guard
    token = form.get("csrf")
    ok = guard.check_session_token(session, token) if session is not None else guard.check_form_token(token)
    if not ok:
        await form.close()
        raise _Refused(403, ("表单已过期，请刷新页面后重试", "The form has expired: reload the page and try again"))
    return form


class _Refused(Exception):
    def __init__(self, status: int, text: tuple[str, str]) -> None:
        super().__init__(text[0])
        self.status, self.text = status, text


def _guarded(handler: Any) -> Any:
    """Send a visitor without a session to the login page; turn a refused form into its error page."""
    import functools

    @functools.wraps(handler)
    async def run(request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            return await handler(request, *args, **kwargs)
        except NeedLogin:
            return _to("/bureau/login")
        except _Refused as exc:
            message = exc.text[1] if _lang(request) == "en" else exc.text[0]
            return _state(request).page(request, "error.html", _lang(request), exc.status, message=message)

    return run


# ---------------------------------------------------------------- login


@router.get("/login", response_class=HTMLResponse)
@_guarded
async def login_page(request: Request) -> Response:
    guard = _state(request).guard
    if guard.session(request.cookies.get(COOKIE)) is not None:
        return _to("/bureau")
    return _page(request, "bureau/login.html", None, enabled=guard.enabled, failed=False)


@router.post("/login", response_class=HTMLResponse)
@_guarded
async def login(request: Request) -> Response:
    guard = _state(request).guard
    form = await _form(request, None)
    address = request.client.host if request.client else "?"
    session = guard.login(str(form.get("password") or ""), address)
    if session is None:
        blocked = guard.blocked(address)
        return _page(request, "bureau/login.html", None, 401, enabled=guard.enabled, failed=True, blocked=blocked)
    response = _to("/bureau")
    response.set_cookie(COOKIE, session.id, **cookie_options(request.url.scheme == "https"))
    return response


@router.post("/logout")
@_guarded
async def logout(request: Request) -> Response:
    session = _session(request)
    await _form(request, session)
    _state(request).guard.logout(session.id)
    response = _to("/bureau/login")
    response.delete_cookie(COOKIE, path="/")
    return response


# ---------------------------------------------------------------- the desk


@router.get("", response_class=HTMLResponse)
@_guarded
async def home(request: Request) -> Response:
    session = _session(request)
    state = _state(request)
    rows = follow_up_rows(state.season.latest(), state.district, state.roster, _lang(request))
    return _page(
        request, "bureau/home.html", session, rounds=round_rows(state.season.rounds, _lang(request)), follow=rows,
        district=state.district, register=state.settings.register_path,
    )  # fmt: skip


@router.get("/follow-up", response_class=HTMLResponse)
@_guarded
async def follow_up(request: Request) -> Response:
    session = _session(request)
    state = _state(request)
    rows = follow_up_rows(state.season.latest(), state.district, state.roster, _lang(request))
    return _page(request, "bureau/follow_up.html", session, follow=rows, district=state.district)


@router.get("/rollup", response_class=HTMLResponse)
@_guarded
async def rollup(request: Request) -> Response:
    session = _session(request)
    state = _state(request)
    view = rollup_view(state.season.latest(), state.district, state.roster, _lang(request))
    return _page(request, "bureau/rollup.html", session, r=view, district=state.district)


@router.post("/rounds")
@_guarded
async def upload_round(request: Request) -> Response:
    from .season import BadZip

    session = _session(request)
    state = _state(request)
    form = await _form(request, session)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise _Refused(400, ("请选择一轮报送的 zip 文件", "Choose the round's zip file"))
        work = Path(state.store.root) / "zips"
        work.mkdir(exist_ok=True)
        import secrets

        target = work / f"{secrets.token_hex(8)}.zip"
        with open(target, "wb") as out:
            shutil.copyfileobj(upload.file, out)
        name = Path(upload.filename.replace("\\", "/")).name[:200]
        try:
            rnd = state.season.start(target, name, _lang(request))
        except BadZip as exc:
            raise _Refused(422, (exc.message("zh"), exc.message("en"))) from None
        finally:
            target.unlink(missing_ok=True)
    finally:
        await form.close()
    return _to(f"/bureau/rounds/{rnd.id}")


@router.get("/rounds/{round_id}", response_class=HTMLResponse)
@_guarded
async def round_page(request: Request, round_id: str) -> Response:
    session = _session(request)
    rnd = _state(request).season.get(round_id)
    if rnd is None:
        raise _Refused(404, ("没有这一轮", "No such round"))
    response = _page(request, "bureau/round.html", session, rnd=rnd, rows=_submissions(rnd))
    if rnd.state == "checking":
        response.headers["Refresh"] = "2"
    return response


@router.get("/rounds/{round_id}/summary.xlsx")
@_guarded
async def round_summary(request: Request, round_id: str) -> Response:
    from .app import _attachment

    _session(request)
    rnd = _state(request).season.get(round_id)
    if rnd is None or rnd.summary is None or not Path(rnd.summary).exists():
        raise _Refused(404, ("没有这一轮的汇总表", "No summary for this round"))
    return _attachment(Path(rnd.summary), f"第{rnd.number}轮-summary.xlsx")


@router.get("/rounds/{round_id}/{index}", response_class=HTMLResponse)
@_guarded
async def submission(request: Request, round_id: str, index: int) -> Response:
    session = _session(request)
    rnd = _state(request).season.get(round_id)
    if rnd is None or not 0 <= index < len(rnd.results):
        raise _Refused(404, ("没有这份报送", "No such submission"))
    view = report_view(rnd.results[index], _lang(request))
    return _page(request, "bureau/submission.html", session, r=view, rnd=rnd)


def _submissions(rnd: Any) -> list[dict[str, Any]]:
    rows = []
    for i, r in enumerate(rnd.results):
        enterprise = r.get("enterprise") or {}
        counts = r.get("counts") or {}
        rows.append(
            {
                "index": i,
                "file": r.get("file"),
                "name": enterprise.get("name"),
                "uscc": enterprise.get("uscc"),
                "status": r.get("status"),
                "errors": counts.get("error", 0),
                "warnings": counts.get("warning", 0),
                "error": r.get("error"),
            }
        )
    return rows
