"""What every CSV import shares: decoding, finding the delimiter, reading the header.

The files come from prefecture exports, Excel and open-data portals, so this accepts what they
actually produce: `,` `;` tab or `|` delimiters, a UTF-8 BOM, CRLF, UTF-8 or Latin-1. The
readers (server/results/csv_reader.py, server/addresses/reader.py) validate the rows.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass

from server.errors import InvalidInput

DELIMITERS = ",;\t|"
_QUOTED = re.compile(r'"[^"]*"')


@dataclass
class CsvTable:
    header: list[str]  # stripped column names, as the file spells them
    reader: Iterator[list[str]]  # the data rows; `reader.line_num` is the last physical line read
    delimiter: str
    encoding: str  # "utf-8-sig" (BOM), "utf-8" or "latin-1"


def decode(raw: bytes) -> tuple[str, str]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Latin-1 never fails, so it is the last resort: Excel "CSV (Windows)" files are
        # cp1252, which is identical to Latin-1 for every accented letter French names use.
        return raw.decode("latin-1"), "latin-1"
    return text, "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"


def sniff_delimiter(header_line: str, name: str) -> str:
    """Pick the candidate delimiter that splits the header most. csv.Sniffer looks at data
    rows too, and gets confused by quoted GeoJSON cells full of commas (as in Paris exports)."""
    bare = _QUOTED.sub("", header_line)
    counts = {d: bare.count(d) for d in DELIMITERS}
    best = max(counts, key=counts.get)
    if counts[best] == 0:
        raise InvalidInput(f"{name}: cannot find the delimiter (tried , ; tab |) in the header line")
    return best


def open_table(raw: bytes, name: str) -> CsvTable:
    """Decode a CSV file's bytes and read its header line; `name` is the file's, for messages."""
    text, encoding = decode(raw)
    end = text.find("\n")
    delimiter = sniff_delimiter(text[:end] if end >= 0 else text, name)
    # newline="" lets csv handle CRLF and line breaks inside quoted cells itself.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip() for h in next(reader, [])]
    return CsvTable(header, reader, delimiter, encoding)
