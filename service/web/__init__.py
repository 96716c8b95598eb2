"""The web pages: a server-rendered UI over the same service functions the JSON API uses, and the
guide and graph style that Neo4j Browser loads (``service/web/guide.py``).

Sign-in takes an API key in a form, checks it as the API does, and keeps the key's id (never its
secret) in Flask's session cookie: signed, HttpOnly, SameSite=Lax, Secure unless served over plain
HTTP on a loopback address (``WEB_COOKIE_SECURE``), for ``WEB_SIGNIN_HOURS``. Each page looks the
key up again (revoked: signed out) and asks for the scope its API twin asks for. Every
form carries a CSRF token (Flask-WTF), checked for the pages' blueprint only: the JSON API is
key-authenticated and takes no tokens. Assets come from the package (htmx is vendored under
``static/vendor``); charts are Vega-Lite specs (altair) rendered to SVG on the server.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

from graph.privacy import pseudonyms
from service.web import guide, views

DEFAULTS = {
    "WEB_COOKIE_SECURE": "auto",  # True, False, or "auto": Secure except plain HTTP on loopback
    "WEB_SIGNIN_HOURS": 12,  # a sign-in lasts this long
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "interests_session",
    "WTF_CSRF_CHECK_DEFAULT": False,  # checked by the pages' blueprint alone (views.py)
}


class PageSessions(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, Secure as ``WEB_COOKIE_SECURE`` says."""

    def get_cookie_secure(self, app: Flask) -> bool:
        setting = app.config["WEB_COOKIE_SECURE"]
        if setting != "auto":
            return bool(setting)
        return request.is_secure or not _loopback(request.host)


def init_app(app: Flask) -> None:
    """Register the pages, the guide, the session and CSRF protection on ``app``."""
    for name, value in DEFAULTS.items():  # unless set (Flask's own defaults do not count)
        if name not in app.config or app.config[name] == Flask.default_config.get(name):
            app.config[name] = value
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = session_key(app.config.get("SECRET") or pseudonyms.secret())
    app.session_interface = PageSessions()
    views.csrf = CSRFProtect(app)
    app.register_blueprint(views.blueprint)
    app.register_blueprint(guide.blueprint)


def session_key(secret: str) -> str:
    """The key that signs session cookies, derived from the installation's secret (so every
    worker of a server shares it) and never equal to it."""
    return hmac.new(
        secret.encode("utf-8"), b"interest-graph web sessions", hashlib.sha256
    ).hexdigest()


def _loopback(host: str) -> bool:
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    name = name.strip("[]").split("]")[0]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False
