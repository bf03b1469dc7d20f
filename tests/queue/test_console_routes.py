"""The console's page, static files and texts as the FastAPI app serves them (no browser)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from kiosk import i18n
from kiosk.queue.console.routes import STATIC, mount_console


@pytest.fixture
def client():
    app = FastAPI()
    mount_console(app)
    with TestClient(app) as c:
        yield c


def test_page_static_and_redirects(client):
    page = client.get("/console/")
    assert page.status_code == 200 and "帮办呼叫" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    for name in ("console.js", "api.js", "console.css"):
        assert client.get(f"/console/static/{name}").status_code == 200
    assert client.get("/console", follow_redirects=False).headers["location"] == "/console/"
    assert client.get("/", follow_redirects=False).headers["location"] == "/console/"
    assert client.get("/console/static/../routes.py").status_code == 404


def test_texts_in_chinese_first_with_english(client):
    zh = client.get("/console/i18n.json").json()
    en = client.get("/console/i18n.json?lang=en").json()
    assert zh["language"] == "zh_CN" and zh["texts"]["claim"] == "认领"
    assert zh["texts"]["kind"]["proxy"] == "代办"
    assert en["texts"]["claim"] == "Claim"
    assert client.get("/console/i18n.json?lang=xx").json()["language"] == "zh_CN"


def test_every_text_the_scripts_use_exists():
    source = "".join(p.read_text(encoding="utf-8") for p in STATIC.glob("*.js"))
    source += Path(STATIC / "index.html").read_text(encoding="utf-8")
    used = set(re.findall(r'\bt\("([a-z_]+)"', source)) | set(re.findall(r'data-t="([a-z_]+)"', source))
    prefixes = set(re.findall(r'\bt\("([a-z_]+)\." \+', source))
    assert used and prefixes
    for key in used:
        assert i18n.has(f"console.{key}"), key
        assert i18n.has(f"console.{key}", "en"), key
    known = i18n.keys("zh_CN")
    for prefix in prefixes:
        assert any(k.startswith(f"console.{prefix}.") for k in known), prefix


def test_scripts_never_use_innerhtml():
    for path in STATIC.glob("*.js"):
        assert "innerHTML" not in path.read_text(encoding="utf-8"), path.name
