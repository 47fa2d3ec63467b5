"""Bearer tokens: 256-bit random, shown once, stored only as SHA-256.

A slow password hash (argon2, bcrypt) protects low-entropy secrets; these tokens are random, so
SHA-256 is enough and keeps authentication of every ping cheap.
"""
from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return "qd_" + secrets.token_urlsafe(32)


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def new_login(name: str) -> str:
    base = "".join(ch for ch in name.lower() if ch.isalnum())[:20] or "user"
    return f"{base}-{secrets.token_hex(3)}"
