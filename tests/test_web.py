"""The web pages (service/web): sign-in, CSRF, scopes, each page with real data from the test
Neo4j, feedback sent from a user's recommendations; then the same in headless Chromium."""

from __future__ import annotations

import base64
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from graph.access import api_keys
from graph.store import Graph
from tests.support import given_two_tastes
from tests.web_support import chromium, csrf_token, served, sign_in

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "docs" / "screenshots"


@pytest.fixture
def key_with(graph: Graph) -> Iterator[object]:
    """Make API keys with chosen scopes; deleted afterwards."""
    made: list[str] = []

    def make(*scopes: str) -> str:
        key, token = api_keys.create(graph, f"web-{'-'.join(scopes)}", scopes)
        made.append(key.id)
        return token

    yield make
    for key_id in made:
        api_keys.delete(graph, key_id)


def page_client(app: Flask) -> FlaskClient:
    client = app.test_client()
    client.environ_base.pop("HTTP_AUTHORIZATION", None)  # pages never read the bearer header
    return client


def found(pattern: str, text: str) -> re.Match[str]:
    match = re.search(pattern, text)
    assert match is not None, pattern
    return match


def given_a_text(client: FlaskClient, user: str) -> None:
    answer = client.post(f"/v1/users/{user}/texts", json={
        "text": "I really love Italian cooking and slow jazz.",
        "timestamp": "2023-11-14T12:00:00Z", "source": "review",
    })  # fmt: skip
    assert answer.status_code == 200, answer.text


# --- signing in, CSRF, scopes -----------------------------------------------------------------


def test_pages_need_a_key_signed_in_through_the_form(app: Flask, admin_token: str) -> None:
    client = app.test_client()  # sends the admin key as a bearer header: not a sign-in
    answer = client.get("/ui/")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/ui/signin?next=/ui/")
    page = page_client(app)
    assert page.get("/ui/runs").status_code == 302
    sign_in(page, admin_token)
    overview = page.get("/ui/")
    assert overview.status_code == 200
    assert "Sign out" in overview.text
    assert "default-src 'self'" in overview.headers["Content-Security-Policy"]
    page.post("/ui/signout", data={"csrf_token": csrf_token(overview.text)})
    assert page.get("/ui/").status_code == 302


def test_an_unknown_or_revoked_key_is_refused(app: Flask, graph: Graph, key_with: object) -> None:
    client = page_client(app)
    form = client.get("/ui/signin")
    answer = client.post("/ui/signin", data={"api_key": "ig_nope_nope",
                                             "csrf_token": csrf_token(form.text)})  # fmt: skip
    assert answer.status_code == 401
    assert "unknown or revoked" in answer.text
    token = key_with("read")  # type: ignore[operator]
    sign_in(client, token)
    assert client.get("/ui/").status_code == 200
    api_keys.revoke(graph, token.removeprefix("ig_").partition("_")[0])
    answer = client.get("/ui/")
    assert answer.status_code == 302 and "expired=1" in answer.headers["Location"]


def test_every_form_needs_its_csrf_token_and_the_api_none(app: Flask, admin_token: str) -> None:
    client = page_client(app)
    answer = client.post("/ui/signin", data={"api_key": admin_token})
    assert answer.status_code == 400
    assert "did not come from this site" in answer.text
    assert client.get("/ui/").status_code == 302  # not signed in
    sign_in(client, admin_token)
    answer = client.post("/ui/users/anyone/feedback", data={"kind": "click"})
    assert answer.status_code == 400 and "CSRF" in answer.text
    # the JSON API is key-authenticated and takes no tokens
    api = app.test_client()
    assert api.post("/v1/items", json=[{"id": "web-csrf-free", "title": "t"}]).status_code == 200


def test_the_session_cookie_is_httponly_samesite_and_secure_off_loopback(
    app: Flask, admin_token: str
) -> None:
    local = page_client(app)
    form = local.get("/ui/signin")
    answer = local.post("/ui/signin", data={"api_key": admin_token,
                                            "csrf_token": csrf_token(form.text)})  # fmt: skip
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP on a loopback address: the demo's case
    decoded = base64.urlsafe_b64decode(cookie.split("=", 1)[1].split(".")[0] + "==").decode()
    assert admin_token.removeprefix("ig_").partition("_")[0] in decoded  # the key's id
    assert admin_token.split("_", 2)[2] not in decoded  # never its secret (which may hold "_")
    remote = page_client(app)
    form = remote.get("/ui/signin", base_url="http://interests.example.org")
    form_data = {"api_key": admin_token, "csrf_token": csrf_token(form.text)}
    answer = remote.post("/ui/signin", base_url="http://interests.example.org", data=form_data)
    assert "Secure" in answer.headers["Set-Cookie"]


def test_each_page_asks_the_scope_its_api_twin_asks(
    app: Flask, key_with: object, prefix: str
) -> None:
    given_two_tastes(app.test_client(), prefix)
    make = key_with  # type: ignore[assignment]
    reader = page_client(app)
    sign_in(reader, make("read"))  # type: ignore[operator]
    overview = reader.get("/ui/")
    assert overview.status_code == 200
    assert "need a key with the <code>metrics</code> scope" in overview.text
    assert reader.get(f"/ui/users/{prefix}u0").status_code == 200
    assert reader.get("/ui/runs").status_code == 403
    user_page = reader.get(f"/ui/users/{prefix}u1")
    assert "Read it" not in user_page.text  # no feedback buttons without write
    form = {"csrf_token": csrf_token(user_page.text), "kind": "click"}
    refused = reader.post(f"/ui/users/{prefix}u1/feedback", data=form)
    assert refused.status_code == 403 and "write" in refused.text

    scraper = page_client(app)
    sign_in(scraper, make("metrics"))  # type: ignore[operator]
    assert scraper.get("/ui/runs").status_code == 200
    assert scraper.get(f"/ui/users/{prefix}u0").status_code == 403
    assert scraper.get("/ui/").status_code == 403


# --- pages with real data --------------------------------------------------------------------


def test_pages_show_what_the_api_answers(
    app: Flask, admin_token: str, trained: str, prefix: str
) -> None:
    api = app.test_client()
    given_a_text(api, f"{prefix}u0")
    premiere = {"id": f"{prefix}premiere", "title": "Premiere", "categories": [f"{prefix}comedy"]}
    assert api.post("/v1/items", json=[premiere]).status_code == 200  # no one has tried it
    client = page_client(app)
    sign_in(client, admin_token)

    overview = client.get("/ui/").text
    counts = {name: int(found(rf'id="count-{name}">(\d+)<', overview).group(1))
              for name in ("users", "items", "events")}  # fmt: skip
    assert counts["users"] >= 8 and counts["items"] >= 12 and counts["events"] >= 38
    assert trained in overview  # the serving run

    user = client.get(f"/ui/users/{prefix}u0")
    assert user.status_code == 200
    text = user.text
    assert "data:image/svg+xml;base64," in text  # the stream graph and the forecast chart
    assert f"{prefix}comedy" in text  # the profile's category
    recommended = re.findall(r'name="item_id" value="([^"]+)"', text)
    assert recommended and all(i.startswith(prefix) for i in recommended)
    assert "italian cooking" in text  # the interest from the text
    assert "Why:" in text  # explanation paths
    assert re.findall(r'data-new-item="([^"]+)"', text) == [f"{prefix}premiere"]

    item = client.get(f"/ui/items/{prefix}comedy1").text
    assert "comedy 1" in item and f"{prefix}comedy" in item
    assert client.get(f"/ui/items/{prefix}nothing").status_code == 404

    interest = client.get("/ui/interests/italian%20cooking")
    assert interest.status_code == 200 and "italian cooking" in interest.text.lower()

    runs = client.get("/ui/runs").text
    assert trained in runs and "serving" in runs and "finished" in runs

    results = client.get(f"/ui/search?q={prefix}u3").text
    assert f"/ui/users/{prefix}u3" in results
    results = client.get("/ui/search?q=comedy 2").text
    assert f"/ui/items/{prefix}comedy2" in results
    results = client.get("/ui/search?q=italian").text
    assert "/ui/interests/italian%20cooking" in results


def test_the_overview_charts_what_is_trending(app: Flask, admin_token: str, prefix: str) -> None:
    api = app.test_client()
    items = [{"id": f"{prefix}t{n}", "title": f"trend {n}", "categories": [f"{prefix}rising"]}
             for n in range(4)]  # fmt: skip
    assert api.post("/v1/items", json=items).status_code == 200
    now = int(time.time())
    events = [{"event_id": f"{prefix}te{u}-{n}", "user_id": f"{prefix}tu{u}", "kind": "like",
               "item_id": f"{prefix}t{n}", "timestamp": now - 3600 * (1 + u + n)}
              for u in range(3) for n in range(4)]  # fmt: skip
    assert api.post("/v1/events", json=events).status_code == 200
    client = page_client(app)
    sign_in(client, admin_token)
    section = client.get("/ui/").text.split('id="trending-h"')[1]
    row = found(rf"<td>{prefix}rising <span class=\"tag\">category</span></td>\s*<td>(\d+)</td>",
                section)  # fmt: skip
    assert int(row.group(1)) >= 12  # this week's signals: every like reaches the category
    chart = found(r'<img src="data:image/svg\+xml;base64,([^"]+)"', section).group(1)
    svg = base64.b64decode(chart).decode()
    assert svg.startswith("<svg") and f"{prefix}rising" in svg  # a bar labelled with it


def test_feedback_from_the_page_moves_the_profile(
    app: Flask, admin_token: str, trained: str, prefix: str
) -> None:
    client = page_client(app)
    sign_in(client, admin_token)
    page = client.get(f"/ui/users/{prefix}u5").text
    recommendation_id = found(r'id="recommendation-id">([^<]+)<', page).group(1)
    item_id = re.findall(r'name="item_id" value="([^"]+)"', page)[0]
    form = {"csrf_token": csrf_token(page), "recommendation_id": recommendation_id,
            "item_id": item_id, "kind": "click"}  # fmt: skip
    answer = client.post(f"/ui/users/{prefix}u5/feedback", data=form,
                         headers={"HX-Request": "true"})  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert "Recorded" in answer.text
    before, after = map(int, found(r'Signals: (\d+) → <span id="signals-after">(\d+)<',
                                   answer.text).groups())  # fmt: skip
    assert after == before + 1  # the click became an interest signal
    category = f"category:{item_id.rstrip('0123456789')}"  # the clicked item's
    row = re.search(rf'<tr data-target="{category}">.*?</tr>', answer.text, re.S)
    assert row is not None and 'class="signals-change up">+1<' in row.group(0)
    again = client.post(f"/ui/users/{prefix}u5/feedback", data=form,
                        headers={"HX-Request": "true"})  # fmt: skip
    assert "Already recorded" in again.text  # the same record twice changes nothing
    events = app.test_client().get(f"/v1/users/{prefix}u5/events?limit=100").json
    assert any(e["item_id"] == item_id and e["kind"] == "click" for e in events["events"])


# --- in a real browser -----------------------------------------------------------------------


@pytest.mark.browser
def test_in_chromium_sign_in_browse_and_send_feedback(
    app: Flask, admin_token: str, trained: str, prefix: str, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as seen
    from selenium.webdriver.support.ui import WebDriverWait

    given_a_text(app.test_client(), f"{prefix}u0")
    shots = Path(os.environ.get("INTERESTS_SCREENSHOTS", tmp_path))
    with served(app) as base, chromium() as driver:
        wait = WebDriverWait(driver, 30)
        driver.get(f"{base}/ui/users/{prefix}u0")
        assert "Sign in" in driver.title  # sent to the form, and back after it
        driver.find_element(By.ID, "api_key").send_keys(admin_token)
        driver.find_element(By.CSS_SELECTOR, "form.signin button").click()
        wait.until(seen.presence_of_element_located((By.ID, "user-id")))
        assert driver.find_element(By.ID, "user-id").text == f"{prefix}u0"
        cookie = driver.get_cookie("interests_session")
        assert cookie is not None and cookie["httpOnly"]
        assert driver.execute_script("return document.cookie") == ""  # not readable by scripts
        profile = driver.find_element(By.ID, "profile").text
        assert f"{prefix}comedy" in profile
        stream = driver.find_element(By.CSS_SELECTOR, "img.wide")
        assert driver.execute_script("return arguments[0].naturalWidth", stream) > 100  # drawn
        driver.save_screenshot(str(shots / "user.png"))

        first = driver.find_element(By.CSS_SELECTOR, ".rec")
        title = first.find_element(By.CSS_SELECTOR, "a").text
        first.find_element(By.CSS_SELECTOR, "button.fb-click").click()  # htmx posts the form
        moved = wait.until(seen.presence_of_element_located((By.ID, "profile-move")))
        result = driver.find_element(By.ID, "feedback-result").text
        assert f"Recorded “Read it” on {title}" in result
        assert "+1" in moved.text  # the clicked item's category has one more signal
        assert driver.current_url.endswith(f"/ui/users/{prefix}u0")  # swapped, not reloaded
        driver.save_screenshot(str(shots / "feedback.png"))

        driver.get(f"{base}/ui/")
        assert int(driver.find_element(By.ID, "count-users").text) >= 8
        serving = driver.find_element(By.ID, "service-h").find_element(By.XPATH, "..")
        assert trained in serving.text
        driver.save_screenshot(str(shots / "overview.png"))
        driver.get(f"{base}/ui/items/{prefix}horror2")
        assert driver.find_element(By.ID, "item-title").text == "horror 2"
        assert f"{prefix}horror" in driver.find_element(By.ID, "item-categories").text
        driver.get(f"{base}/ui/interests/italian%20cooking")
        assert driver.find_element(By.ID, "interest-name").text.lower() == "italian cooking"
        driver.get(f"{base}/ui/runs")
        assert trained in driver.find_element(By.ID, "runs").text
        search = driver.find_element(By.ID, "q")
        search.send_keys(f"{prefix}u2")
        search.submit()
        wait.until(seen.presence_of_element_located((By.ID, "found-users")))
        assert driver.find_element(By.ID, "found-users").text == f"{prefix}u2"
        started = time.monotonic()
        driver.find_element(By.LINK_TEXT, f"{prefix}u2").click()
        wait.until(seen.text_to_be_present_in_element((By.ID, "user-id"), f"{prefix}u2"))
        assert time.monotonic() - started < 30
    if os.environ.get("INTERESTS_SAVE_DOC_SCREENSHOTS"):  # to refresh the README's pictures
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for name in ("user.png", "overview.png"):
            shutil.copyfile(shots / name, SCREENSHOTS / name)
    assert (shots / "user.png").stat().st_size > 10_000
