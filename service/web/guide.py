"""The Neo4j Browser guide and graph style, served by the app for analysts.

``GET /guide`` is an HTML guide as Neo4j Browser's ``:guide URL`` takes it (an
``article.guide`` of ``<slide>`` sections; each ``pre.runnable`` fills the editor when clicked);
``GET /guide/style.grass`` is the graph style (``:style URL``). Both hold no user data, need no
key, and allow any origin: Neo4j Browser fetches them from its own page (another port). The local
server's configuration runs both on connect (``graph/store/local_server.py``).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, render_template, request

blueprint = Blueprint("guide", __name__, template_folder="templates")

STYLE = Path(__file__).parent / "static" / "style.grass"


@blueprint.route("/guide", methods=["GET", "OPTIONS"])
def guide() -> Response:
    return _public(Response(render_template("guide.html"), mimetype="text/html"))


@blueprint.route("/guide/style.grass", methods=["GET", "OPTIONS"])
def style() -> Response:
    return _public(Response(STYLE.read_bytes(), mimetype="text/plain"))


def _public(response: Response) -> Response:
    """Readable from any page: Neo4j Browser fetches with credentials, which a ``*`` does not
    admit, so the asking origin is named (the answer holds no user data and sets no cookie)."""
    origin = request.headers.get("Origin")
    response.headers["Access-Control-Allow-Origin"] = origin or "*"
    if origin:
        response.headers["Access-Control-Allow-Credentials"] = "true"
        response.headers["Vary"] = "Origin"
    asked = request.headers.get("Access-Control-Request-Headers")
    if asked:
        response.headers["Access-Control-Allow-Headers"] = asked
    response.headers["Cache-Control"] = "no-cache"
    return response
