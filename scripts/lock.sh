#!/usr/bin/env bash
# Regenerate the locks from pyproject.toml (after adding or bumping a dependency): exact
# versions and hashes, for Python 3.11+ on any platform.
#   requirements.lock      the service's dependencies (docker/Dockerfile installs it)
#   requirements-dev.lock  the same plus the [dev] tools (scripts/lib.sh installs it)
# Usage: scripts/lock.sh [--upgrade | --upgrade-package NAME]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
UV="$ROOT/.venv/bin/uv"
[ -x "$UV" ] || UV="$(command -v uv)" || { echo "uv not found: run scripts/test.sh once (it installs the dev tools)" >&2; exit 1; }
cd "$ROOT"
compile() { "$UV" pip compile pyproject.toml --python-version 3.11 --universal --generate-hashes -q "$@"; }
compile -o requirements.lock "$@"
compile --extra dev -o requirements-dev.lock "$@"
echo "requirements.lock and requirements-dev.lock updated: commit them with pyproject.toml" >&2
