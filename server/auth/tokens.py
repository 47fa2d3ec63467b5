"""Bearer tokens: 256-bit random, shown once, stored only as SHA-256.

Two per user: the API token (`qd_…`, the HQ API and the phone page) and the device token
(`qdd_…`, accepted only by the ingest service, for OwnTracks and Traccar Client, whose
credential travels in URLs and app settings). The HQ page trades the API token for short-lived
session tokens (`qds_…`, server/sessions), which the HQ API alone accepts.

A slow password hash (argon2, bcrypt) protects low-entropy secrets; these tokens are random, so
SHA-256 is enough and keeps authentication of every ping cheap.
"""

from __future__ import annotations

import hashlib
import secrets

SESSION_PREFIX = "qds_"


def new_token() -> str:
    return "qd_" + secrets.token_urlsafe(32)


def new_device_token() -> str:
    # A prefix of its own, so that a token found in a log or a screenshot says what it opens.
    return "qdd_" + secrets.token_urlsafe(32)


def new_session_token() -> str:
    return SESSION_PREFIX + secrets.token_urlsafe(32)


def is_session_token(token: str) -> bool:
    return token.startswith(SESSION_PREFIX)


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def new_login(name: str) -> str:
    base = "".join(ch for ch in name.lower() if ch.isalnum())[:20] or "user"
    return f"{base}-{secrets.token_hex(3)}"
