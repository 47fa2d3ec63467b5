#!/usr/bin/env bash
# The whole test suite, against real PostGIS and Redis, with the same set-up as the demo.
# Extra arguments go to pytest (e.g. scripts/test.sh -k locate).
source "$(dirname "$0")/lib.sh"
trap stop_started EXIT

ensure_venv
ensure_postgres
ensure_redis
build_web
ensure_chromium
test_web

cd "$ROOT"
# The suite makes its own throw-away database on this server; QUADRILLER_DATABASE_URL names it.
export QUADRILLER_TEST_DATABASE_URL="${QUADRILLER_TEST_DATABASE_URL:-${QUADRILLER_DATABASE_URL%/*}/quadriller_test}"
set +e
python -m pytest "$@"
status=$?
set -e
# pytest's "no tests collected" (5) is a failure for us: a suite that ran nothing proves nothing.
exit "$status"
