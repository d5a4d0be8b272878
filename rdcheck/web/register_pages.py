"""The bureau's register on the desk (`rdcheck serve --register REG.sqlite`): rounds with their changes,
enterprises with their latest status, a submission's report, and the waivers (add, revoke).

Everything goes through the register's own library (rdcheck.district.register, waivers); a connection is opened
per request, since SQLite connections stay on their thread.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ..errors import RdcheckError
from .bureau import _form, _guarded, _page, _Refused, _session, _state, _to
from .view import report_view

router = APIRouter(prefix="/bureau/register", include_in_schema=False)
CHANGE_KEYS = ("new", "fixed", "new_failures", "still_failing", "unchanged", "changed", "missing")


@contextmanager
def _open(path: str, create: bool = False) -> Any:
    from ..district.register import Register

    reg = Register.open(path, create=create)
    try:
        yield reg
    finally:
        reg.close()


def latest_reports(path: str) -> list[dict[str, Any]]:
    """Each enterprise's latest counted submission in the register, as its JSON report (for follow-up, rollup)."""
    with _open(path) as reg:
        reports = []
        for row in reg.latest():
            report = reg.report(row["id"])
            if report is not None:
                reports.append({**report, "file": row.get("file") or report.get("file")})
        return reports


def shown_name(file: Any) -> str:
    """A round's workbook as the bureau named it: the base name without the NNNN- the desk put in front."""
    import re

    return re.sub(r"^\d{4}-", "", Path(str(file or "")).name)


def _register(request: Request) -> str:
    path = _state(request).settings.register_path
    if not path:
        raise _Refused(404, ("未配置登记簿（rdcheck serve --register REG.sqlite）", "No register (--register)"))
    return path


@router.get("", response_class=HTMLResponse)
@_guarded
async def register_home(request: Request) -> Response:
    session = _session(request)
    path = _register(request)
    with _open(path, create=True) as reg:
        rounds = [
            {"info": r, "changes": [(k, len((r.changes or {}).get(k) or [])) for k in CHANGE_KEYS]}
            for r in reg.rounds()
        ]
        enterprises = reg.latest()
        waivers = reg.waivers()
    return _page(
        request, "bureau/register.html", session, rounds=rounds, enterprises=enterprises, waivers=waivers,
        path=Path(path).name,
    )  # fmt: skip


@router.get("/rounds/{round_id}", response_class=HTMLResponse)
@_guarded
async def register_round(request: Request, round_id: int) -> Response:
    session = _session(request)
    with _open(_register(request)) as reg:
        info = next((r for r in reg.rounds() if r.id == round_id), None)
        if info is None:
            raise _Refused(404, ("登记簿中没有这一轮", "No such round in the register"))
        rows = [{**row, "shown": shown_name(row.get("file"))} for row in reg.submissions(round_id)]
    changes = [(k, (info.changes or {}).get(k) or []) for k in CHANGE_KEYS]
    return _page(request, "bureau/register_round.html", session, info=info, rows=rows, changes=changes)


@router.get("/submissions/{submission_id}", response_class=HTMLResponse)
@_guarded
async def register_submission(request: Request, submission_id: int) -> Response:
    session = _session(request)
    with _open(_register(request)) as reg:
        report = reg.report(submission_id)
    if report is None:
        raise _Refused(404, ("登记簿中没有这份报送", "No such submission in the register"))
    view = report_view(report, "en" if request.query_params.get("lang") == "en" else "zh")
    return _page(request, "bureau/register_submission.html", session, r=view)


@router.post("/waivers")
@_guarded
async def add_waiver(request: Request) -> Response:
    from ..district.waivers import make_waiver

    session = _session(request)
    form = await _form(request, session)
    year_text = str(form.get("year") or "").strip()
    try:
        year = int(year_text) if year_text else None
        waiver = make_waiver(
            str(form.get("uscc") or ""), str(form.get("rule") or ""), str(form.get("reason") or ""), year,
            str(form.get("cell") or "").strip() or None,
        )  # fmt: skip
    except ValueError:
        raise _Refused(400, ("年度须为数字", "The year must be a number")) from None
    except RdcheckError as exc:
        raise _Refused(400, (exc.message("zh"), exc.message("en"))) from None
    finally:
        await form.close()
    with _open(_register(request), create=True) as reg:
        reg.add_waiver(waiver)
    return _to("/bureau/register#waivers")


@router.post("/waivers/{waiver_id}/revoke")
@_guarded
async def revoke_waiver(request: Request, waiver_id: int) -> Response:
    session = _session(request)
    form = await _form(request, session)
    await form.close()
    with _open(_register(request)) as reg:
        if not reg.revoke_waiver(waiver_id):
            raise _Refused(404, ("没有这条豁免，或已撤销", "No such waiver, or already revoked"))
    return _to("/bureau/register#waivers")
