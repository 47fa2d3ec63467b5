"""Parse an address-points CSV (one row per house number) into validated rows.

Pure parsing, like the results reader (server/results/csv_reader.py), with whose decoding and
delimiter sniffing (server/csvfile.py) it shares: any of `, ; tab |`, a BOM, UTF-8 or Latin-1, and gzip (the national
address files are distributed gzipped). Columns are mapped by name, so any city's export works.
Every refusal names the file, the line (header = line 1) and the address id; nothing is guessed.
"""

from __future__ import annotations

import gzip
import math
from dataclasses import dataclass
from pathlib import Path

from server.errors import InvalidInput
from server.csvfile import open_table


@dataclass
class AddressFile:
    # (ext_id, number, street, postcode, lon, lat): tuples, ready for COPY
    rows: list[tuple[str, str, str, str | None, float, float]]
    delimiter: str
    encoding: str


def _coordinate(text: str, low: float, high: float) -> float:
    v = float(text.strip().replace(",", "."))  # ValueError for junk
    if not math.isfinite(v) or not low <= v <= high:
        raise ValueError(text)
    return v


def read_address_file(
    path,
    *,
    id_field: str,
    number_field: str,
    street_field: str,
    lon_field: str,
    lat_field: str,
    suffix_field: str | None = None,
    postcode_field: str | None = None,
) -> AddressFile:
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":  # gzip, whatever the file is called
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise InvalidInput(f"{path.name}: a broken gzip file ({exc})") from exc
    if b"\x00" in raw[:4096]:
        raise InvalidInput(f"{path.name}: not a text (CSV) file")
    table = open_table(raw, path.name)
    reader, header = table.reader, table.header

    def col(name: str | None) -> int | None:
        if name is None:
            return None
        hits = [i for i, h in enumerate(header) if h == name.strip()]
        if len(hits) != 1:
            problem = "no column" if not hits else f"{len(hits)} columns named"
            raise InvalidInput(
                f"{path.name}: {problem} {name!r}; available columns: " + ", ".join(header),
                field=name,
                available=header,
            )
        return hits[0]

    i_id, i_num, i_street, i_lon, i_lat = (
        col(id_field),
        col(number_field),
        col(street_field),
        col(lon_field),
        col(lat_field),
    )
    i_suffix, i_post = col(suffix_field), col(postcode_field)
    width = max(i for i in (i_id, i_num, i_street, i_lon, i_lat, i_suffix, i_post) if i is not None) + 1
    rows: list[tuple[str, str, str, str | None, float, float]] = []
    seen: dict[str, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue  # blank line (a trailing newline, an Excel export's empty rows)
        if len(cells) < width:
            raise InvalidInput(f"{path.name} line {line}: {len(cells)} cells, the mapped columns need {width}")
        ext_id = cells[i_id].strip()
        if not ext_id:
            raise InvalidInput(f"{path.name} line {line}: empty id ({id_field!r})")
        if ext_id in seen:
            raise InvalidInput(f"{path.name} line {line}: id {ext_id!r} already on line {seen[ext_id]}")
        seen[ext_id] = line
        number = cells[i_num].strip()
        if i_suffix is not None and cells[i_suffix].strip():
            number = f"{number} {cells[i_suffix].strip()}"
        street = " ".join(cells[i_street].split())
        for name, value in ((number_field, number), (street_field, street)):
            if not value:
                raise InvalidInput(f"{path.name} line {line} (id {ext_id}): empty {name!r}")
        try:
            lon = _coordinate(cells[i_lon], -180, 180)
            lat = _coordinate(cells[i_lat], -90, 90)
        except ValueError:
            raise InvalidInput(
                f"{path.name} line {line} (id {ext_id}): {lon_field!r}/{lat_field!r} = "
                f"{cells[i_lon]!r}/{cells[i_lat]!r} is not a WGS84 longitude/latitude"
            ) from None
        postcode = cells[i_post].strip() or None if i_post is not None else None
        rows.append((ext_id, number, street, postcode, lon, lat))
    if not rows:
        raise InvalidInput(f"{path.name}: no address rows")
    return AddressFile(rows, table.delimiter, table.encoding)
