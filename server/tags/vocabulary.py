"""The closed vocabulary, pure: read it from CSV, and check tags against it. No I/O.

Tags are keys (`logement`, `transports`), not sentences: the admin defines them with a French and
an English label, and anything else sent by a phone is refused with the tag named. Free text is
where opinions about named people leak in (GDPR art. 9), so there is none about a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from server.csvfile import open_table
from server.errors import InvalidInput

KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
MAX_TAGS = 20
MAX_VOCABULARY = 200
COLUMNS = ("tag", "label_fr", "label_en")


@dataclass(frozen=True)
class Tag:
    tag: str
    label_fr: str
    label_en: str


class UnknownTag(InvalidInput):
    """A tag outside the campaign's vocabulary (422, naming it)."""


def read_vocabulary_csv(raw: bytes, name: str = "tags.csv") -> list[Tag]:
    """Columns tag, label_fr, label_en (any delimiter the CSV reader accepts); every row checked."""
    table = open_table(raw, name)
    missing = [c for c in COLUMNS if c not in table.header]
    if missing:
        raise InvalidInput(f"{name}: missing column(s) {', '.join(missing)} (need {', '.join(COLUMNS)})")
    at = {c: table.header.index(c) for c in COLUMNS}
    tags: dict[str, Tag] = {}
    for row in table.reader:
        if not any(cell.strip() for cell in row):
            continue
        cells = {c: (row[i].strip() if i < len(row) else "") for c, i in at.items()}
        line = table.reader.line_num  # type: ignore[attr-defined]  # a csv reader, typed as an iterator
        if not KEY.match(cells["tag"]):
            raise InvalidInput(
                f"{name} line {line}: tag {cells['tag']!r} is not a key of 1 to 40 lower-case "
                "letters, digits, '-' or '_'"
            )
        if not (0 < len(cells["label_fr"]) <= 80 and 0 < len(cells["label_en"]) <= 80):
            raise InvalidInput(
                f"{name} line {line}: tag {cells['tag']!r} needs label_fr and label_en (1 to 80 characters)"
            )
        if cells["tag"] in tags:
            raise InvalidInput(f"{name} line {line}: tag {cells['tag']!r} appears twice")
        tags[cells["tag"]] = Tag(cells["tag"], cells["label_fr"], cells["label_en"])
    if len(tags) > MAX_VOCABULARY:
        raise InvalidInput(f"{name}: {len(tags)} tags; at most {MAX_VOCABULARY}")
    return list(tags.values())


def check_tags(tags: list[str], vocabulary: set[str]) -> list[str]:
    """The tags, deduplicated in order, if every one is in the vocabulary; else UnknownTag."""
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"{len(tags)} tags; at most {MAX_TAGS}")
    out: list[str] = []
    for tag in tags:
        if tag not in vocabulary:
            raise UnknownTag(f"tag {tag!r} is not in this campaign's vocabulary", tag=tag)
        if tag not in out:
            out.append(tag)
    return out
