#!/usr/bin/env bash
# The demo: the live map of Paris at http://127.0.0.1:8000, set up from scratch if need be.
# Ctrl-C stops everything this script started.
source "$(dirname "$0")/lib.sh"
trap stop_started EXIT
trap 'exit 130' INT TERM

ensure_venv
ensure_postgres
ensure_redis
build_web

cd "$ROOT"
quadriller db upgrade
quadriller demo setup --token-file "$STATE/demo-token"
# Runs the HQ server, the ingest service and the simulated volunteers until Ctrl-C.
quadriller demo run --token-file "$STATE/demo-token" \
  --host "${QUADRILLER_HOST:-127.0.0.1}" --port "${QUADRILLER_PORT:-8000}"
