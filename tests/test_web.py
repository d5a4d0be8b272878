"""rdcheck serve through the framework's test client: the pages, the API, the limits and the bureau's login."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="rdcheck serve needs the web extra: pip install -e '.[web]'")

import openpyxl  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from rdcheck.district.pool import FAULT_ENV  # noqa: E402
from rdcheck.web import WebSettings, create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LEDGERS = ROOT / "samples" / "ledgers"
FLAW = LEDGERS / "flaw_project_missing.xlsx"
PASSWORD = "correct horse battery"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("serve")


@pytest.fixture(scope="module")
def client(work: Path):
    settings = WebSettings(
        workers=2, work_dir=str(work), bureau_password=PASSWORD, max_upload=2 * 1024 * 1024,
        district_path=str(ROOT / "samples" / "district-2024.yaml"),
    )  # fmt: skip
    with TestClient(create_app(settings)) as c:
        yield c


def _upload(client: TestClient, path: Path, url: str = "/check", name: str | None = None, **data: str):
    with open(path, "rb") as fh:
        return client.post(url, files={"file": (name or path.name, fh, XLSX)}, data=data)


def _named(tmp_path: Path, name: str) -> Path:
    """A copy of the flawed sample whose 企业名称 is `name`."""
    wb = openpyxl.load_workbook(FLAW)
    ws = wb["企业信息"]
    for row in ws.iter_rows(min_row=1, max_col=2):
        if row[0].value == "企业名称":
            row[1].value = name
    out = tmp_path / "named.xlsx"
    wb.save(out)
    return out


def test_health_and_upload_page(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    assert '<form id="upload"' in html and 'enctype="multipart/form-data"' in html and 'method="post"' in html
    assert '<input id="file" type="file" name="file"' in html
    assert re.search(r'name="csrf" value="\d+\.[\w-]+\.[0-9a-f]{32}"', html)
    assert "研发支出辅助账自查" in html and 'href="/template"' in html
    assert "R&amp;D ledger self-check" in client.get("/?lang=en").text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"
    # no page pulls anything from another host
    for path in ("/", "/docs", "/static/upload.js", "/static/style.css"):
        assert not re.search(r"(src|href)=\"https?://", client.get(path).text), path


def test_template_is_the_standard_workbook(client: TestClient) -> None:
    r = client.get("/template")
    assert r.status_code == 200 and r.content[:4] == b"PK\x03\x04"
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    assert "辅助账明细" in openpyxl.load_workbook(io.BytesIO(r.content)).sheetnames


def test_api_check_is_exactly_the_cli_json(client: TestClient, tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.xlsx"
    shutil.copy(FLAW, ledger)
    cli = subprocess.run(
        [sys.executable, "-m", "rdcheck", "check", "ledger.xlsx", "--format", "json"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert cli.returncode == 1, cli.stderr
    r = _upload(client, ledger, "/api/check")
    assert r.status_code == 200
    assert r.text == cli.stdout
    report = r.json()
    assert report["a107012"]["51"] == 4664623.36  # line 51 to the fen
    assert [(f["rule"], f["cell"]) for f in report["findings"]] == [("B01", "C186"), ("B01", "C221"), ("B01", "C256")]
    english = _upload(client, ledger, "/api/check?lang=en").json()
    assert english["findings"][0]["message"] == "Project 'RD2024-2' is not listed in 研发项目"
    spec = client.get("/openapi.json").json()
    assert "/api/check" in spec["paths"] and "/healthz" in spec["paths"]
    assert "/api/check" in client.get("/docs").text


def test_report_page_shows_verdict_cells_figures_and_download(client: TestClient, work: Path) -> None:
    r = _upload(client, FLAW)
    assert r.status_code == 200
    html = r.text
    assert 'class="verdict fail">不通过<' in html
    assert "辅助账明细!C186" in html and "辅助账明细!C256" in html
    assert 'id="pillar-B"' in html and "4,664,623.36" in html  # A107012 line 51, to the fen
    assert "财税〔2015〕119号" in html  # the basis
    link = re.search(r'href="(/download/[\w-]{32,})"', html).group(1)
    got = client.get(link)
    assert got.status_code == 200 and got.content[:2] == b"PK"
    assert "flaw_project_missing-%E6%A3%80%E6%9F%A5%E7%BB%93%E6%9E%9C.xlsx" in got.headers["content-disposition"]
    annotated = openpyxl.load_workbook(io.BytesIO(got.content))
    assert "辅助账明细" in annotated.sheetnames
    # the upload is gone once checked (no register); only the annotated copy waits for its link
    assert not list(work.glob("*/upload*")), list(work.glob("*/upload*"))
    token = link.rsplit("/", 1)[1]
    printable = client.get(f"/report/{token}?view=print")
    assert printable.status_code == 200 and 'class="printable"' in printable.text
    assert client.get("/download/" + "A" * 32).status_code == 404
    assert client.get("/report/../../etc/passwd").status_code == 404


def test_workbook_text_is_escaped(client: TestClient, tmp_path: Path) -> None:
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    r = _upload(client, _named(tmp_path, evil))
    assert r.status_code == 200
    assert "<script>alert" not in r.text and "<img src=x" not in r.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in r.text


def test_file_name_never_reaches_the_disk(client: TestClient, work: Path) -> None:
    r = _upload(client, FLAW, name="../../evil<b>.xlsx")
    assert r.status_code == 200
    assert "evil&lt;b&gt;.xlsx" in r.text and "<b>" not in r.text
    assert not (work.parent / "evil<b>.xlsx").exists() and not list(work.rglob("evil*"))


def test_refused_uploads(client: TestClient, tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    assert _upload(client, text).status_code == 415
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"this is not a zip")
    r = _upload(client, fake, "/api/check")
    assert r.status_code == 415 and r.json()["status"] == "error"
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 2000)
    r = _upload(client, broken, "/api/check")
    assert r.status_code == 422
    body = r.json()
    assert body["file"] == "broken.xlsx" and body["status"] == "error" and body["error"]
    assert "upload" not in body["error"]  # the server's own path is never shown
    page = _upload(client, broken)
    assert page.status_code == 422 and "无法读取" in page.text
    assert client.post("/check", data={"x": "1"}).status_code == 400
    assert _upload(client, FLAW, csrf="1.2.3").status_code == 403  # a forged form token


def test_oversized_upload_is_refused_before_it_is_read(client: TestClient) -> None:
    big = b"PK\x03\x04" + b"\x00" * (3 * 1024 * 1024)
    r = client.post("/api/check", files={"file": ("big.xlsx", big, XLSX)})
    assert r.status_code == 413 and "2 MB" in r.json()["error"]

    def chunks():  # no Content-Length: counted as it streams
        for _ in range(40):
            yield b"\x00" * (128 * 1024)

    r = client.post("/api/check", content=chunks(), headers={"content-type": "multipart/form-data; boundary=x"})
    assert r.status_code == 413
    assert client.get("/healthz").status_code == 200


def test_a_crashing_or_hanging_check_costs_one_error_page(client: TestClient, monkeypatch) -> None:
    store = client.app.state.store
    monkeypatch.setattr(store, "start_method", "fork")  # the fault hook reads the environment of the fork
    monkeypatch.setattr(store, "timeout", 1.0)
    monkeypatch.setenv(FAULT_ENV, "crash=upload.xlsx")
    r = _upload(client, FLAW, "/api/check")
    assert r.status_code == 422 and "退出码 70" in r.json()["error"]
    monkeypatch.setenv(FAULT_ENV, "hang=upload.xlsx")
    r = _upload(client, FLAW)
    assert r.status_code == 422 and "检查超时" in r.text
    monkeypatch.undo()
    assert client.get("/healthz").status_code == 200
    assert _upload(client, FLAW, "/api/check").status_code == 200


def test_async_upload_reports_progress_then_the_report(client: TestClient) -> None:
    with open(FLAW, "rb") as fh:
        r = client.post("/check", files={"file": ("a.xlsx", fh, XLSX)}, headers={"X-Rdcheck-Async": "1"})
    assert r.status_code == 202
    job = r.json()
    assert client.get(job["status"]).json()["state"] in ("queued", "checking", "done")
    store = client.app.state.store
    store.wait(store.get(job["id"]))
    assert client.get(job["status"]).json()["state"] == "done"
    assert "辅助账明细!C186" in client.get(job["report"]).text


def _login(client: TestClient) -> None:
    page = client.get("/bureau/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    r = client.post("/bureau/login", data={"csrf": csrf, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303, r.text
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie


def test_bureau_needs_a_login_with_csrf(client: TestClient) -> None:
    client.cookies.clear()
    r = client.get("/bureau", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/bureau/login"
    assert client.get("/bureau/follow-up", follow_redirects=False).status_code == 303
    page = client.get("/bureau/login")
    assert 'type="password"' in page.text
    assert client.post("/bureau/login", data={"password": PASSWORD}).status_code == 403  # no CSRF token
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    assert client.post("/bureau/login", data={"csrf": csrf, "password": "wrong"}).status_code == 401
    _login(client)
    home = client.get("/bureau")
    assert home.status_code == 200 and 'id="follow-up"' in home.text
    assert client.post("/bureau/logout", data={}).status_code == 403  # the session's form token is required
    session_csrf = re.search(r'name="csrf" value="([^"]+)"', home.text).group(1)
    assert client.post("/bureau/logout", data={"csrf": session_csrf}, follow_redirects=False).status_code == 303
    assert client.get("/bureau", follow_redirects=False).status_code == 303


def test_bureau_round_follow_up_and_rollup(client: TestClient, tmp_path: Path) -> None:
    district = ROOT / "samples" / "district-2024"
    books = sorted(district.glob("0[1-6]-*.xlsx"))
    archive = tmp_path / "round1.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for b in books:
            z.write(b, f"第一轮/{b.name}")
        z.writestr("readme.txt", "not a workbook")
    client.cookies.clear()
    _login(client)
    home = client.get("/bureau")
    csrf = re.search(r'name="csrf" value="([^"]+)"', home.text).group(1)
    with open(archive, "rb") as fh:
        r = client.post("/bureau/rounds", files={"file": ("round1.zip", fh, "application/zip")}, data={"csrf": csrf})
    assert r.status_code == 200, r.text  # followed to the round's page
    season = client.app.state.season
    rnd = season.rounds[-1]
    import time

    deadline = time.monotonic() + 120
    while rnd.state == "checking" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert rnd.state == "done" and len(rnd.results) == len(books)
    page = client.get(f"/bureau/rounds/{rnd.id}").text
    for b in books:
        assert b.name in page
    expected = json.loads(json.dumps([r.get("status") for r in rnd.results]))
    assert set(expected) <= {"pass", "warn", "fail", "error"}
    failing = [r for r in rnd.results if r.get("status") == "fail"]
    follow = client.get("/bureau/follow-up").text
    for r in failing:
        assert r["enterprise"]["uscc"] in follow
    rollup = client.get("/bureau/rollup").text
    assert 'id="chart-region"' in rollup and "淮阴区" in rollup
    summary = client.get(f"/bureau/rounds/{rnd.id}/summary.xlsx")
    assert summary.status_code == 200 and summary.content[:2] == b"PK"
    first = client.get(f"/bureau/rounds/{rnd.id}/0")
    assert first.status_code == 200 and 'id="verdict"' in first.text


def test_report_page_shows_a_fix_hint_and_a_waiver_as_text(client: TestClient) -> None:
    """A finding's fix hint and a waiver's reason are shown, escaped like everything from a workbook."""
    store = client.app.state.store
    job = store.new("hint.xlsx", ".xlsx", "zh")
    finding = {"rule": "C01", "severity": "warning", "pillar": "C", "sheet": "辅助账明细", "row": 7, "column": "明细项目",
               "cell": "F7", "message": "明细项目“人工”无法识别", "hint": "改为 <b>1 人员人工费用</b>", "basis": "财税〔2015〕119号",
               "waived": True, "waiver": "电话说明已接受"}  # fmt: skip
    job.result = {"file": "hint.xlsx", "status": "warn", "enterprise": {"name": "甲"}, "counts": {"warning": 1},
                  "findings": [finding], "a107012": {}, "stats": {}}  # fmt: skip
    job.state = "done"
    job.done.set()
    with store._lock:
        store._jobs[job.id] = job
    html = client.get(f"/report/{job.id}").text
    assert "辅助账明细!F7" in html and 'id="pillar-C"' in html
    assert '<td class="hint">改为 &lt;b&gt;1 人员人工费用&lt;/b&gt;</td>' in html
    assert "已豁免" in html and "电话说明已接受" in html


def test_uploads_at_once_queue_for_the_workers_and_never_mix(client: TestClient) -> None:
    """Five uploads at once with two workers: at most two check at a time, each report is its own workbook's."""
    import time

    books = sorted((ROOT / "samples" / "district-2024").glob("0[1-5]-*.xlsx"))
    jobs = []
    for book in books:
        with open(book, "rb") as fh:
            r = client.post("/check", files={"file": (book.name, fh, XLSX)}, headers={"X-Rdcheck-Async": "1"})
        assert r.status_code == 202
        jobs.append((book, r.json()))
    store = client.app.state.store
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        states = [client.get(job["status"]).json() for _, job in jobs]
        if all(s["state"] == "done" for s in states):
            break
        time.sleep(0.05)
    assert 1 <= store.peak <= store.workers == 2  # never more checks at once than workers
    for book, job in jobs:
        result = store.get(job["id"]).result
        assert result["file"] == book.name
        assert result["enterprise"]["name"] in book.name  # 01-江苏新途泵业有限公司.xlsx → 江苏新途泵业有限公司
    names = {store.get(job["id"]).result["enterprise"]["uscc"] for _, job in jobs}
    assert len(names) == len(books)


def test_links_expire(client: TestClient, monkeypatch) -> None:
    r = _upload(client, FLAW)
    link = re.search(r'href="(/download/[\w-]{32,})"', r.text).group(1)
    assert client.get(link).status_code == 200
    monkeypatch.setattr(client.app.state.store, "ttl", 0.0)
    assert client.get(link).status_code == 404
    assert client.get(link.replace("/download/", "/report/")).status_code == 404


def test_round_zip_is_unpacked_inside_its_folder(tmp_path: Path) -> None:
    from rdcheck.web.season import BadZip, unpack

    archive = tmp_path / "round.zip"
    data = FLAW.read_bytes()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("../../evil.xlsx", data)
        z.writestr("第二批/11b-更正版.xlsx", data)
        z.writestr("第二批/11a-初版.xlsx", data)
        z.writestr("notes.txt", "not a workbook")
        z.writestr("~$lock.xlsx", "an Excel lock file")
    into = tmp_path / "deep" / "in"
    names = unpack(archive, into)
    assert sorted(names.values()) == ["../../evil.xlsx", "第二批/11a-初版.xlsx", "第二批/11b-更正版.xlsx"]
    for path in names:
        assert Path(path).parent == into and Path(path).read_bytes() == data
    assert [Path(p).name for p in sorted(names)] == ["0001-evil.xlsx", "0002-11a-初版.xlsx", "0003-11b-更正版.xlsx"]
    assert not (tmp_path / "evil.xlsx").exists() and not (tmp_path / "deep" / "evil.xlsx").exists()
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("a.txt", "x")
    with pytest.raises(BadZip):
        unpack(empty, tmp_path / "e")
    (tmp_path / "not.zip").write_bytes(b"nope")
    with pytest.raises(BadZip):
        unpack(tmp_path / "not.zip", tmp_path / "n")


def test_every_finding_shows_its_message_and_fix_hint(client: TestClient) -> None:
    """What the JSON report says of each finding (message, hint when it carries one, basis) is on the page."""
    from html import escape

    report = _upload(client, FLAW, "/api/check").json()
    html = _upload(client, FLAW).text
    for f in report["findings"]:
        assert escape(f["message"], quote=True).replace("&#x27;", "&#39;") in html
        if f.get("hint"):
            assert escape(f["hint"], quote=True).replace("&#x27;", "&#39;") in html


def test_no_template_marks_anything_safe() -> None:
    """Autoescape is the only defence the pages need: no |safe, no Markup, no autoescape off."""
    web = ROOT / "rdcheck" / "web"
    for path in list(web.rglob("*.html")) + list(web.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for needle in ("|safe", "| safe", "Markup(", "autoescape false", "autoescape=False"):
            assert needle not in text, f"{path.name}: {needle}"
