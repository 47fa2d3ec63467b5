"""Contacts as CSV, for the campaign's mailing and phoning tools. Pure, no I/O."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from server.contacts.schemas import Contact

COLUMNS = (
    "id",
    "name",
    "phone",
    "email",
    "topics",
    "support",
    "station",
    "consent_version",
    "consent_lang",
    "consented_at",
    "created_at",
    "last_contact_at",
)
# A cell starting with one of these is run as a formula by spreadsheets (CSV injection): a
# contact's name is typed by a stranger, so such cells are prefixed with a quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else (value.isoformat() if hasattr(value, "isoformat") else str(value))
    return "'" + text if text.startswith(FORMULA_START) else text


def contacts_csv(contacts: Iterable[Contact]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    for c in contacts:
        row = c.model_dump()
        row["topics"] = " ".join(c.topics)
        w.writerow([_cell(row[k]) for k in COLUMNS])
    return out.getvalue()
