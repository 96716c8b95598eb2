#!/usr/bin/env bash
# The main job on the local default: install, start Neo4j, import MovieLens, serve, print the URLs.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1
bash scripts/setup.sh
exec .venv/bin/interests demo "$@"
