#!/usr/bin/env bash
# Runs the tests against a real Neo4j: a separate test server under var/test (Bolt 7688), started
# for the run unless it is running already, or the server named by NEO4J_URI.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1
bash scripts/setup.sh
exec .venv/bin/python -m pytest "$@"
