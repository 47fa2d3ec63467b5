"""No Docker engine runs here, so check what can be checked: compose and Dockerfile use the
app's real commands and settings, so they cannot drift from the path without Docker."""

from __future__ import annotations

import re

import yaml

from server.cli import build_parser
from server.settings import PROJECT_ROOT, Settings

DOCKER = PROJECT_ROOT / "docker"


def test_compose_commands_and_settings_are_real():
    compose = yaml.safe_load((DOCKER / "compose.yml").read_text())
    services = compose["services"]
    assert {"postgis", "redis", "app", "ingest", "migrate"} <= set(services)
    assert services["postgis"]["image"].startswith("postgis/postgis:15-3")
    assert services["redis"]["image"].startswith("redis:7")
    fields = {f"QUADRILLER_{name.upper()}" for name in Settings.model_fields}
    parser = build_parser()
    for name in ("app", "ingest", "migrate"):
        service = services[name]
        command = service["command"]
        assert command[0] == "quadriller"
        parser.parse_args(command[1:])  # exits if the command or an option does not exist
        for key in service.get("environment", {}):
            assert key in fields, key
    assert services["app"]["environment"]["QUADRILLER_DATABASE_URL"].endswith("@postgis:5432/quadriller")


def test_dockerfile_builds_what_the_scripts_build():
    text = (DOCKER / "Dockerfile").read_text()
    for path in re.findall(r"^COPY (?:--from=\S+ )?(\S+)", text, flags=re.M):
        if not path.startswith("/"):  # paths inside another stage start with /
            assert (PROJECT_ROOT / path.rstrip("/")).exists(), path
    assert "npm run build" in text and "pip install" in text
    assert re.search(r"^ENV .*QUADRILLER_WEB_DIST=/app/web/dist", text, flags=re.M | re.S)
    fields = {f"QUADRILLER_{name.upper()}" for name in Settings.model_fields}
    for key in re.findall(r"(QUADRILLER_\w+)=", text):
        assert key in fields, key
