"""rdcheck serve in a real browser: `rdcheck serve` started as a user would, driven by headless Chromium (Debian's
chromium and chromium-driver packages, no download at test time) through Selenium. Only 127.0.0.1 is used.

Skipped, with the reason, where Chromium is not installed; CI (.ci/run) installs it, so there they always run.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="rdcheck serve needs the web extra: pip install -e '.[web]'")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or (
    "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None
)
if not (CHROMIUM and CHROMEDRIVER):
    if os.environ.get("RDCHECK_REQUIRE_BROWSER"):  # CI (.ci/run) installs Chromium: there, its absence is a failure
        raise RuntimeError("RDCHECK_REQUIRE_BROWSER is set but chromium/chromedriver are not installed")
    pytest.skip(
        "headless Chromium is not installed (apt-get install chromium chromium-driver; CI installs it)",
        allow_module_level=True,
    )
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")

from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FLAW = ROOT / "samples" / "ledgers" / "flaw_project_missing.xlsx"
DISTRICT = ROOT / "samples" / "district-2024"
PASSWORD = "browser-test-password"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", "--window-size=1280,1600")  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    """`rdcheck serve --host 127.0.0.1 --port P` in its own process, as a bureau would start it."""
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "serve.log"
    env = {**os.environ, "RDCHECK_BUREAU_PASSWORD": PASSWORD}
    cmd = [sys.executable, "-m", "rdcheck", "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2",
           "--district", str(ROOT / "samples" / "district-2024.yaml"), "--roster", str(DISTRICT / "roster.csv")]  # fmt: skip
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"rdcheck serve did not start: {log.read_text(errors='replace')}")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads: Path):
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not fetch a driver or a browser
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    )
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(browser, condition, seconds: float = 90):
    return WebDriverWait(browser, seconds, poll_frequency=0.2).until(condition)


def test_upload_see_the_verdict_and_the_cell_then_download(server, browser, downloads: Path, tmp_path: Path) -> None:
    browser.get(server + "/")
    assert browser.find_element(By.CSS_SELECTOR, "form#upload input[type=file][name=file]")
    browser.find_element(By.ID, "file").send_keys(str(FLAW))
    assert browser.find_element(By.ID, "file-name").text == FLAW.name  # the drop zone names the chosen file
    browser.find_element(By.ID, "submit").click()
    verdict = _wait(browser, EC.presence_of_element_located((By.ID, "verdict")))
    assert verdict.text == "不通过"
    assert "/report/" in browser.current_url  # the script polled the job, then opened its report
    cells = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#pillar-B td.cell")]
    assert cells == ["辅助账明细!C186", "辅助账明细!C221", "辅助账明细!C256"]
    assert "4,664,623.36" in browser.find_element(By.ID, "figures").text
    shot = tmp_path / "report.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    print(f"screenshot of the report page: {shot}")

    browser.find_element(By.ID, "download").click()
    deadline = time.monotonic() + 30
    while not list(downloads.glob("*.xlsx")) and time.monotonic() < deadline:
        time.sleep(0.2)
    got = list(downloads.glob("*.xlsx"))
    assert [p.name for p in got] == ["flaw_project_missing-检查结果.xlsx"]
    import openpyxl

    assert "辅助账明细" in openpyxl.load_workbook(got[0]).sheetnames


def test_plain_form_without_javascript(server, browser) -> None:
    """With scripts off, the form posts as it is and the response is the report."""
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        browser.get(server + "/?lang=en")
        browser.find_element(By.ID, "file").send_keys(str(FLAW))
        browser.find_element(By.ID, "submit").click()
        verdict = _wait(browser, EC.presence_of_element_located((By.ID, "verdict")))
        assert verdict.text == "fail" and browser.current_url.endswith("/check?lang=en")
        messages = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "td.message")]
        assert messages[0] == "Project 'RD2024-2' is not listed in 研发项目"
    finally:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def test_bureau_login_round_and_follow_up(server, browser, tmp_path: Path) -> None:
    browser.get(server + "/bureau")
    assert browser.current_url.endswith("/bureau/login")  # asks for a login
    browser.find_element(By.ID, "password").send_keys("wrong password")
    browser.find_element(By.ID, "login-button").click()
    assert _wait(browser, EC.presence_of_element_located((By.ID, "login-failed"))).text == "密码错误"
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.ID, "login-button").click()
    _wait(browser, EC.presence_of_element_located((By.ID, "round-upload")))

    books = sorted(DISTRICT.glob("*.xlsx"))[:8]
    archive = tmp_path / "第一轮.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for b in books:
            z.write(b, b.name)
    browser.find_element(By.ID, "round-file").send_keys(str(archive))
    browser.find_element(By.CSS_SELECTOR, "#round-upload button").click()
    _wait(browser, EC.presence_of_element_located((By.ID, "submissions")), 180)  # refreshes until checked
    assert len(browser.find_elements(By.CSS_SELECTOR, "#submissions tbody tr")) == len(books)

    browser.find_element(By.LINK_TEXT, "跟进名单").click()
    _wait(browser, EC.url_contains("/bureau/follow-up"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#follow-up tbody tr")
    text = browser.find_element(By.ID, "follow-up").text
    assert len(rows) > 1 and "未报送" in text  # the roster's enterprises that sent nothing yet
    assert "T01" in text  # and a submitter whose R&D never reached the statistics
    browser.save_screenshot(str(tmp_path / "follow-up.png"))
    browser.find_element(By.LINK_TEXT, "全区汇总").click()
    assert _wait(browser, EC.presence_of_element_located((By.ID, "chart-region")))


def test_big_random_upload_is_refused_and_the_server_stays_healthy(server) -> None:
    body = os.urandom(40 * 1024 * 1024)
    boundary = "rdcheckboundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.xlsx"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    payload = head + body + f"\r\n--{boundary}--\r\n".encode()
    host, port = server.removeprefix("http://").split(":")
    for path in ("/api/check", "/check"):
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        conn.request("POST", path, body=payload, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        response = conn.getresponse()
        assert response.status == 413, path
        response.read()
        conn.close()
    with urllib.request.urlopen(server + "/healthz", timeout=5) as r:
        assert r.status == 200 and json.load(r)["status"] == "ok"
