"""The bureau's desk on a register (`rdcheck serve --register`): two rounds uploaded as zips, the register's
rounds and enterprises, a submission's report, and a waiver recorded on the page that clears the next round."""

from __future__ import annotations

import re
import time
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="rdcheck serve needs the web extra: pip install -e '.[web]'")

import openpyxl  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from rdcheck.district.register import Register  # noqa: E402
from rdcheck.web import WebSettings, create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FLAW = ROOT / "samples" / "ledgers" / "flaw_project_missing.xlsx"
OTHER = sorted((ROOT / "samples" / "district-2024").glob("01-*.xlsx"))[0]  # another enterprise
PASSWORD = "register-desk-password"


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def _round(client: TestClient, archive: Path) -> object:
    csrf = _csrf(client.get("/bureau").text)
    with open(archive, "rb") as fh:
        r = client.post("/bureau/rounds", files={"file": (archive.name, fh, "application/zip")}, data={"csrf": csrf})
    assert r.status_code == 200, r.text
    rnd = client.app.state.season.rounds[-1]
    deadline = time.monotonic() + 120
    while rnd.state == "checking" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert rnd.state == "done", rnd.error
    return rnd


def test_register_rounds_enterprises_and_a_waiver(tmp_path: Path) -> None:
    register = tmp_path / "season" / "reg.sqlite"
    register.parent.mkdir()
    uscc = openpyxl.load_workbook(OTHER)["企业信息"]["B2"].value
    zips = []
    for n in (1, 2):
        archive = tmp_path / f"round{n}.zip"
        with zipfile.ZipFile(archive, "w") as z:
            z.write(FLAW, "恒润.xlsx")
            if n == 1:
                z.write(OTHER, OTHER.name)
        zips.append(archive)
    settings = WebSettings(workers=2, work_dir=str(tmp_path / "work"), bureau_password=PASSWORD,
                           register_path=str(register))  # fmt: skip
    with TestClient(create_app(settings)) as client:
        page = client.get("/bureau/login")
        client.post("/bureau/login", data={"csrf": _csrf(page.text), "password": PASSWORD})
        first = _round(client, zips[0])
        assert first.register_id is not None
        home = client.get("/bureau/register")
        assert home.status_code == 200 and 'id="register-rounds"' in home.text
        assert "恒润" in home.text or "江苏恒润精密机械科技有限公司" in home.text
        with Register.open(register, create=False) as reg:
            rows = reg.submissions(first.register_id)
            assert len(rows) == 2
            failing = next(r for r in rows if r["status"] == "fail")
        assert failing["uscc"] != uscc
        sub = client.get(f"/bureau/register/submissions/{failing['id']}")
        assert sub.status_code == 200 and "辅助账明细!C186" in sub.text

        # a waiver needs the session's token, then applies from the next round
        waiver = {"uscc": failing["uscc"], "rule": "B01", "reason": "项目已补立项，电话核实"}
        assert client.post("/bureau/register/waivers", data=waiver).status_code == 403
        csrf = _csrf(client.get("/bureau/register").text)
        r = client.post("/bureau/register/waivers", data={**waiver, "csrf": csrf})
        assert r.status_code == 200 and "项目已补立项，电话核实" in r.text
        bad = client.post("/bureau/register/waivers", data={**waiver, "rule": "bad", "csrf": csrf})
        assert bad.status_code == 400 and "B03" in bad.text

        second = _round(client, zips[1])
        with Register.open(register, create=False) as reg:
            again = reg.submissions(second.register_id)
        assert [r["status"] for r in again] == ["pass"]  # B01 waived: no longer fails
        report = client.get(f"/bureau/register/submissions/{again[0]['id']}").text
        assert "已豁免" in report and "项目已补立项，电话核实" in report
        rnd_page = client.get(f"/bureau/register/rounds/{second.register_id}").text
        assert "已改正" in rnd_page  # changes.json's fixed list, against round 1
        assert ">恒润.xlsx</a>" in rnd_page  # the workbook as the bureau named it
        follow = client.get("/bureau/follow-up").text
        assert failing["uscc"] not in follow  # the register's latest submission passes now
        # uploads are kept beside the register
        assert list((register.parent / "rounds").glob("*/in/*.xlsx"))
