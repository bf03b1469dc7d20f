"""The server serving HTTPS itself with a certificate from `kiosk queue tls-cert`, end to end: a kiosk
posts over HTTPS trusting the hall's CA (queue.ca_file); headless Chromium, with the CA in its NSS
database as a phone would have it installed, loads the console over HTTPS, signs in, and gets a Secure,
HttpOnly session cookie; without the CA it refuses the site."""

from __future__ import annotations

import os
import shutil
import ssl
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.deploy.test_queue_backup import PASSWORD, cli, provision
from tests.queue.test_server_cli import server

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]


def nss_home(folder: Path, ca: Path | None) -> Path:
    """A HOME whose NSS database (what Chromium on Linux trusts) holds ``ca``."""
    db = folder / ".pki" / "nssdb"
    db.mkdir(parents=True)
    subprocess.run(["certutil", "-d", f"sql:{db}", "-N", "--empty-password"], check=True, timeout=60)
    if ca:
        subprocess.run(["certutil", "-d", f"sql:{db}", "-A", "-t", "C,,", "-n", "hall-ca", "-i", str(ca)],
                       check=True, timeout=60)
    return folder


def test_console_over_https_with_the_halls_own_ca(tmp_path):
    if not Path(CHROMIUM).exists() or not shutil.which("certutil"):
        pytest.skip("needs Debian's chromium and certutil (apt-get install chromium libnss3-tools)")
    from playwright.sync_api import Error, sync_playwright

    from kiosk.config.settings import parse_config
    from kiosk.queue.client import HelpQueueClient

    certs = tmp_path / "certs"
    code, out, err = cli("tls-cert", "--out", str(certs), "--name", "127.0.0.1", "--name", "localhost")
    assert code == 0, err
    assert "Install" in out and oct((certs / "server.key").stat().st_mode & 0o777) == "0o600"
    state = tmp_path / "state"
    token = provision(state)
    tls = ["--tls-cert", str(certs / "server.pem"), "--tls-key", str(certs / "server.key")]
    with server(["--state-dir", str(state), *tls]) as url:
        assert url.startswith("https://127.0.0.1:")
        trusted = ssl.create_default_context(cafile=str(certs / "ca.pem"))
        assert httpx.get(f"{url}/healthz", verify=trusted, timeout=10).json()["ok"] is True
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            httpx.get(f"{url}/healthz", timeout=10)  # the public roots do not know the hall's CA

        catalog = tmp_path / "matters.toml"
        catalog.write_text("")
        kiosk = HelpQueueClient(parse_config({
            "kiosk_id": "zd-qj-01", "state_dir": str(tmp_path / "kiosk"), "catalog": str(catalog),
            "site": {"level": "district", "code": "421303", "name": "曾都区政务服务中心"},
            "queue": {"url": url, "token": token, "ca_file": str(certs / "ca.pem"), "timeout_s": 5}}),
            poll_interval_s=0.2)
        kiosk.start()
        try:
            rid = kiosk.call_helper("assist", "matter", matter_name="城乡居民养老保险参保登记")
            assert kiosk.wait_delivered(rid, timeout=30), kiosk.last_error
        finally:
            kiosk.stop()

        with sync_playwright() as p:
            home = nss_home(tmp_path / "phone", certs / "ca.pem")
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, env={**os.environ, "HOME": str(home)})
            try:
                context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
                page = context.new_page()
                page.set_default_timeout(15000)
                page.goto(f"{url}/console/")
                assert page.evaluate("window.isSecureContext") is True
                page.wait_for_selector("#login:not([hidden])")
                page.fill("#username", "li")
                page.fill("#password", PASSWORD)
                page.click("#login-form button[type=submit]")
                page.wait_for_selector("#app:not([hidden])")
                page.wait_for_selector("#conn:not(.off)")  # the live stream runs over HTTPS too
                page.wait_for_selector("text=城乡居民养老保险参保登记")  # the kiosk's request, live
                cookie = next(c for c in context.cookies() if c["name"] == "kq_session")
                assert cookie["secure"] is True and cookie["httpOnly"] is True
                page.screenshot(path=os.environ.get("KIOSK_HTTPS_SHOT") or str(tmp_path / "console-https.png"))
            finally:
                browser.close()
            untrusting = p.chromium.launch(executable_path=CHROMIUM, args=ARGS,
                                           env={**os.environ, "HOME": str(nss_home(tmp_path / "other", None))})
            try:
                with pytest.raises(Error, match="ERR_CERT_AUTHORITY_INVALID"):
                    untrusting.new_page().goto(f"{url}/console/")
            finally:
                untrusting.close()
