"""What the web tests share: signing in through the form, keys with chosen scopes, the app served
on a real port, and headless Chromium (Debian's ``chromium`` and ``chromium-driver``)."""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager never downloads a driver

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def csrf_token(html: str) -> str:
    found = CSRF.search(html)
    assert found is not None, "no CSRF token in the page"
    return found.group(1)


def sign_in(client: FlaskClient, token: str) -> None:
    """Sign ``client`` in through the form, as a person would (it carries no bearer header)."""
    client.environ_base.pop("HTTP_AUTHORIZATION", None)
    form = client.get("/ui/signin")
    answer = client.post("/ui/signin", data={"api_key": token,
                                             "csrf_token": csrf_token(form.text)})  # fmt: skip
    assert answer.status_code == 302, answer.text


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """``app`` under a real HTTP server on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@contextmanager
def chromium(*, width: int = 1280, height: int = 1000) -> Iterator[object]:
    """Headless Chromium driven by the system chromedriver (no Selenium Manager download)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 f"--window-size={width},{height}", "--disable-extensions"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
