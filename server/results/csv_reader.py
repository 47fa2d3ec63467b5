"""Parse an election-results CSV (one row per area code) into validated counts and shares.

Pure parsing: reads one file, returns plain objects, raises `InvalidInput` naming the line
(1-based physical line in the file, header = line 1) and the code of the offending row. The
database half consumes `ResultFile`.

Results files come from prefecture exports, Excel and open-data portals, so this accepts what
they actually produce: `;` or `,` or tab or `|` delimiters, a UTF-8 BOM, CRLF, Latin-1, French
numbers ("1 234", "12,5 %"). Anything ambiguous is refused rather than guessed, because a wrong
number on a campaign map is worse than an import error.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from server.csvfile import open_table
from server.errors import InvalidInput

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")  # NBSP / narrow NBSP: French thousands separators


@dataclass
class ResultRow:
    line: int
    code: str
    registered: int
    voters: int | None
    abstentions: int | None
    valid_votes: int | None
    # {"list column": {"votes": int | None, "share": float | None}}, share in 0..1 of valid votes.
    # A list whose cell is empty is absent from that row (e.g. a candidate not standing there).
    lists: dict[str, dict] = field(default_factory=dict)


@dataclass
class ResultFile:
    rows: list[ResultRow]
    derived: list[str]  # fields computed rather than read, e.g. ["abstentions", "lists.*.share"]
    delimiter: str
    encoding: str  # "utf-8-sig" (BOM), "utf-8" or "latin-1"


def _number(text: str, percent: bool) -> float | None:
    """'1 234' / '1234' / '12,5' / '12.5' / '12,5 %' -> float; '' -> None; junk -> ValueError."""
    s = _SPACES.sub("", text)
    if percent and s.endswith("%"):
        s = s[:-1]
    if not s:
        return None
    if "," in s and "." in s:
        # Both present: the last one is the decimal separator ("1.234,5" or "1,234.5").
        thousands = "." if s.rfind(",") > s.rfind(".") else ","
        s = s.replace(thousands, "").replace(",", ".")
    else:
        s = s.replace(",", ".")  # French decimal comma
    value = float(s)  # raises ValueError on anything else
    if not math.isfinite(value):  # float() accepts "nan" and "inf"
        raise ValueError(text)
    return value


def _round_half_up(x: float) -> int:
    # Python's round() is banker's rounding; people check these numbers by hand with half-up.
    return math.floor(x + 0.5)


class _Row:
    """Field access for one CSV record, with errors that name the line and the code."""

    def __init__(self, line: int, code: str, cells: list[str], percent: bool):
        self.line, self.code, self.cells, self.percent = line, code, cells, percent

    def fail(self, message: str) -> InvalidInput:
        return InvalidInput(f"line {self.line} (code {self.code!r}): {message}", line=self.line, code=self.code)

    def value(self, name: str, idx: int, *, pct: bool = False, required: bool = True) -> float | None:
        raw = self.cells[idx]
        try:
            v = _number(raw, self.percent and pct)
        except ValueError:
            raise self.fail(f"{name!r} is not a number: {raw.strip()!r}") from None
        if v is None:
            if required:
                raise self.fail(f"{name!r} is empty")
            return None
        if pct:
            if not 0 <= v <= 100:
                raise self.fail(f"{name!r} is {v:g}%, outside 0..100")
        elif v < 0:
            raise self.fail(f"{name!r} is negative ({v:g})")
        elif not v.is_integer():
            raise self.fail(f"{name!r} is not a whole number ({raw.strip()!r})")
        return v

    def count(self, name: str, idx: int, required: bool = True) -> int | None:
        v = self.value(name, idx, required=required)
        return None if v is None else int(v)


def read_results_csv(
    path,
    code_field: str,
    registered_field: str,
    voters_field: str | None = None,
    abstention_field: str | None = None,
    valid_field: str | None = None,
    list_fields: list[str] = (),
    percent: bool = False,
) -> ResultFile:
    """Read a results CSV, one row per area code.

    Counts form: every column holds counts. Percent form (`percent=True`): the abstention (or
    turnout, if `voters_field` is used) column is a % of registered voters and the list columns
    are % of valid votes; registered and valid (if given) are still counts.
    """
    path = Path(path)
    if (voters_field is None) == (abstention_field is None):
        raise InvalidInput("give exactly one of the voters column or the abstention column")
    list_fields = [f.strip() for f in list_fields]
    if len(set(list_fields)) != len(list_fields):
        raise InvalidInput("a list column is named twice in the list columns")

    table = open_table(path.read_bytes(), path.name)
    reader, header, delimiter = table.reader, table.header, table.delimiter

    def col(name: str) -> int:
        name = name.strip()
        hits = [i for i, h in enumerate(header) if h == name]
        if not hits:
            raise InvalidInput(
                f"{path.name}: no column {name!r}; available columns: " + ", ".join(header),
                field=name,
                available=header,
            )
        if len(hits) > 1:
            raise InvalidInput(f"{path.name}: column {name!r} appears {len(hits)} times", field=name)
        return hits[0]

    # (column name, index) pairs: messages name the column as the user's file spells it.
    i_code = col(code_field)
    i_reg = (registered_field.strip(), col(registered_field))
    i_vot = (voters_field.strip(), col(voters_field)) if voters_field else None
    i_abs = (abstention_field.strip(), col(abstention_field)) if abstention_field else None
    i_val = (valid_field.strip(), col(valid_field)) if valid_field else None
    i_lists = [(name, col(name)) for name in list_fields]

    derived: list[str] = []
    if percent:
        derived += ["abstentions", "voters"]  # both come from one percentage
        if i_lists and i_val is not None:
            derived.append("lists.*.votes")
    else:
        derived.append("abstentions" if i_vot is not None else "voters")
        if i_lists and i_val is None:
            derived.append("valid_votes")  # taken as the sum of the list columns
        if i_lists:
            derived.append("lists.*.share")

    rows: list[ResultRow] = []
    seen: dict[str, int] = {}
    while True:
        line = reader.line_num + 1  # where the next record starts (line_num is where it ended)
        cells = next(reader, None)
        if cells is None:
            break
        if not any(c.strip() for c in cells):
            continue  # blank lines (trailing newlines, Excel's ";;;;" rows)
        if len(cells) < len(header):
            raise InvalidInput(
                f"line {line}: {len(cells)} fields where the header has "
                f"{len(header)}; is a value missing or the delimiter wrong?",
                line=line,
            )
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            raise InvalidInput(
                f"line {line}: {len(cells)} fields where the header has "
                f"{len(header)}; is there an unquoted {delimiter!r} in a value?",
                line=line,
            )
        code = cells[i_code].strip()
        if not code:
            raise InvalidInput(f"line {line}: the code ({code_field!r}) is empty", line=line)
        if code in seen:
            raise InvalidInput(
                f"line {line} (code {code!r}): duplicate code, already on line {seen[code]}", line=line, code=code
            )
        seen[code] = line
        r = _Row(line, code, cells, percent)
        rows.append(_parse_row(r, i_reg, i_vot, i_abs, i_val, i_lists, percent))

    if not rows:
        raise InvalidInput(f"{path.name}: no data rows after the header")
    return ResultFile(rows=rows, derived=derived, delimiter=delimiter, encoding=table.encoding)


def _parse_row(
    r: _Row,
    i_reg: tuple,
    i_vot: tuple | None,
    i_abs: tuple | None,
    i_val: tuple | None,
    i_lists: list[tuple[str, int]],
    percent: bool,
) -> ResultRow:
    registered = r.count(*i_reg)
    if percent:
        if i_abs is not None:
            abstentions = _round_half_up(registered * r.value(*i_abs, pct=True) / 100)
            voters = registered - abstentions
        else:
            voters = _round_half_up(registered * r.value(*i_vot, pct=True) / 100)
            abstentions = registered - voters
    elif i_vot is not None:
        voters = r.count(*i_vot)
        if voters > registered:
            raise r.fail(f"voters ({voters}) > registered ({registered})")
        abstentions = registered - voters
    else:
        abstentions = r.count(*i_abs)
        if abstentions > registered:
            raise r.fail(f"abstentions ({abstentions}) > registered ({registered})")
        voters = registered - abstentions

    valid = r.count(*i_val) if i_val is not None else None
    # Not checked in percent form: voters there is rebuilt from a rounded percentage.
    if valid is not None and not percent and valid > voters:
        raise r.fail(f"valid votes ({valid}) > voters ({voters})")

    lists: dict[str, dict] = {}
    if percent:
        for name, idx in i_lists:
            pct = r.value(name, idx, pct=True, required=False)
            if pct is not None:
                share = pct / 100
                votes = _round_half_up(valid * share) if valid is not None else None
                lists[name] = {"votes": votes, "share": share}
    else:
        counts = {name: r.count(name, idx, required=False) for name, idx in i_lists}
        counts = {k: v for k, v in counts.items() if v is not None}
        total = sum(counts.values())
        if i_lists and valid is None:
            valid = total
            if valid > voters:
                raise r.fail(f"list votes add up to {valid}, more than voters ({voters})")
        elif valid is not None and total > valid:
            raise r.fail(f"list votes add up to {total}, more than valid votes ({valid})")
        for name, votes in counts.items():
            lists[name] = {"votes": votes, "share": votes / valid if valid else None}

    return ResultRow(
        line=r.line,
        code=r.code,
        registered=registered,
        voters=voters,
        abstentions=abstentions,
        valid_votes=valid,
        lists=lists,
    )
