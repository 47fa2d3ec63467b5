"""Invite links, QR codes and the tracking apps' settings. Pure, no I/O.

QR codes come from segno: pure Python with no dependencies (no Pillow), standard-conformant, and
it writes both SVG and PNG, which is all the CLI and the HQ page need.
"""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import segno


def invite_url(base_url: str, secret: str) -> str:
    return f"{base_url.rstrip('/')}/volunteer?invite={quote(secret)}"


def qr_svg(text: str) -> str:
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False)
    return out.getvalue().decode()


def write_qr(text: str, path: Path) -> None:
    """PNG or SVG, after the file's suffix."""
    kind = path.suffix.lower().lstrip(".")
    if kind not in ("png", "svg"):
        raise ValueError(f"{path.name}: a QR code file is .png or .svg")
    segno.make(text, error="m").save(str(path), kind=kind, scale=8, border=2)


def device_settings(ingest_http_url: str, campaign: str, login: str, token: str) -> dict:
    """What OwnTracks (HTTP mode) and Traccar Client need (docs/protocol.md), with each app's
    settings as text for a QR code: the ingest's HTTP endpoints (server/public_urls.py), and the
    device token, which only sends positions."""
    parts = urlsplit(ingest_http_url)
    scheme = parts.scheme
    owntracks = urlunsplit((scheme, parts.netloc, "/api/owntracks", f"campaign={quote(campaign)}", ""))
    osmand = urlunsplit((scheme, parts.netloc, "/api/osmand", f"campaign={quote(campaign)}", ""))
    return {
        "owntracks": {"mode": "HTTP", "url": owntracks, "user": login, "password": token},
        "traccar": {"server_url": osmand, "device_identifier": token},
    }
