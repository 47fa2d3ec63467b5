"""read_results_csv on the real Paris European 2024 results and the derived municipal 2026 file."""

from __future__ import annotations

import csv
from pathlib import Path

import orjson
import pytest

from server.errors import InvalidInput
from server.results.csv_reader import read_results_csv

DATA = Path(__file__).resolve().parents[3] / "data" / "paris"
EURO = DATA / "paris_europeennes_2024_resultats_bv.csv"
MUNI = DATA / "paris_municipales_2026_t1_bv_derived.geojson"
MUNI_LISTS = ["pct_gregoire", "pct_dati", "pct_chikirou", "pct_bournazel", "pct_knafo", "pct_autres"]
NBSP = "\u00a0"


def euro_table() -> list[list[str]]:
    with EURO.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh, delimiter=";"))


def euro_lists() -> list[str]:
    header = euro_table()[0]
    return header[header.index("nb_exprim") + 1 : header.index("st_area(shape)")]


def read_euro(path=EURO, **kw):
    args = dict(
        code_field="id_bv",
        registered_field="nb_inscr",
        voters_field="nb_votant",
        valid_field="nb_exprim",
        list_fields=euro_lists(),
    )
    args.update(kw)
    return read_results_csv(path, **args)


def write_table(path: Path, table, delimiter=";", encoding="utf-8", lineterminator="\r\n") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh, delimiter=delimiter, lineterminator=lineterminator).writerows(table)
    return path


def test_european_2024_counts():
    assert len(euro_lists()) == 38
    res = read_euro()
    assert (res.delimiter, res.encoding) == (";", "utf-8-sig")
    assert res.derived == ["abstentions", "lists.*.share"]
    assert len(res.rows) == 902 and len({r.code for r in res.rows}) == 902
    assert sum(r.registered for r in res.rows) == 1_378_929
    assert sum(r.voters for r in res.rows) == 822_744
    for r in res.rows:
        assert r.abstentions == r.registered - r.voters
        assert len(r.lists) == 38
        assert sum(v["votes"] for v in r.lists.values()) == r.valid_votes
        assert sum(v["share"] for v in r.lists.values()) == pytest.approx(1.0)
    first = res.rows[0]
    assert (first.line, first.code, first.registered, first.voters, first.valid_votes) == (2, "18-60", 1776, 1088, 1077)
    assert first.lists["aubry_manon"]["votes"] == 354


def test_valid_votes_default_to_sum_of_lists():
    res = read_euro(valid_field=None)
    assert res.derived == ["abstentions", "valid_votes", "lists.*.share"]
    assert [r.valid_votes for r in res.rows] == [r.valid_votes for r in read_euro().rows]


def test_latin1_comma_lf_copy_gives_identical_rows(tmp_path):
    # Excel-on-Windows style copy of the same real file: Latin-1, comma-separated, LF endings
    # (the geo_shape cells are full of commas and get quoted by the csv writer).
    copy = write_table(
        tmp_path / "euro_latin1.csv", euro_table(), delimiter=",", encoding="latin-1", lineterminator="\n"
    )
    res = read_euro(copy)
    assert (res.delimiter, res.encoding) == (",", "latin-1")
    assert res.rows == read_euro().rows
    assert "maréchal_marion" in res.rows[0].lists  # accents survived the Latin-1 decoding


def muni_csv(tmp_path: Path, french: bool = True, mutate=None) -> tuple[Path, list[dict]]:
    """Percent-form CSV built from the real 2026 derived file; French number formatting."""
    feats = [f["properties"] for f in orjson.loads(MUNI.read_bytes())["features"]]

    def fmt(v, pct=False):
        if not french:
            return str(v)
        text = f"{v:,}".replace(",", NBSP).replace(".", ",")  # 1 546 ; 36,55
        return f"{text} %" if pct else text

    table = [["code_bv", "inscrits", "taux_abstention", *MUNI_LISTS]]
    for p in feats:
        table.append(
            [p["code_bv"], fmt(p["inscrits"]), fmt(p["taux_abstention"], True), *(fmt(p[k], True) for k in MUNI_LISTS)]
        )
    if mutate:
        mutate(table)
    return write_table(tmp_path / "muni.csv", table), feats


def read_muni(path, **kw):
    return read_results_csv(
        path, "code_bv", "inscrits", abstention_field="taux_abstention", list_fields=MUNI_LISTS, percent=True, **kw
    )


def test_percent_form_from_municipal_2026(tmp_path):
    path, feats = muni_csv(tmp_path)
    res = read_muni(path)
    assert res.derived == ["abstentions", "voters"]  # no valid count, so no list votes
    assert len(res.rows) == 903
    for r, p in zip(res.rows, feats):
        assert r.code == p["code_bv"] and r.registered == p["inscrits"]
        assert abs(r.abstentions - p["abstentions"]) <= 1  # taux is rounded to 2 decimals
        assert r.voters == r.registered - r.abstentions and r.valid_votes is None
        for k in MUNI_LISTS:
            assert r.lists[k]["votes"] is None
            assert r.lists[k]["share"] == pytest.approx(p[k] / 100)
    assert sum(r.abstentions for r in res.rows) == sum(p["abstentions"] for p in feats)


def test_percent_form_plain_numbers_match_french_formatting(tmp_path):
    french = read_muni(muni_csv(tmp_path)[0]).rows
    plain = read_muni(muni_csv(tmp_path, french=False)[0]).rows
    assert plain == french


def test_percent_outside_range_is_refused(tmp_path):
    def mutate(table):
        table[4][3] = "120"  # table[k] is line k+1 (header is line 1)

    path, feats = muni_csv(tmp_path, mutate=mutate)
    with pytest.raises(InvalidInput) as exc:
        read_muni(path)
    msg = exc.value.detail
    assert "line 5" in msg and repr(feats[3]["code_bv"]) in msg and "pct_gregoire" in msg and "0..100" in msg


# --- bad inputs, each made from the real European file -------------------------------------


def bad_euro(tmp_path, mutate) -> tuple[Path, list[list[str]]]:
    table = euro_table()
    mutate(table)
    return write_table(tmp_path / "bad.csv", table), table


def col(name: str) -> int:
    return euro_table()[0].index(name)


def test_non_numeric_count_names_line_and_code(tmp_path):
    path, table = bad_euro(tmp_path, lambda t: t[9].__setitem__(col("nb_votant"), "12a4"))
    with pytest.raises(InvalidInput) as exc:
        read_euro(path)
    msg = exc.value.detail
    assert f"line 10 (code {table[9][1]!r})" in msg and "'nb_votant' is not a number" in msg
    assert exc.value.extra == {"line": 10, "code": table[9][1]}


def test_duplicate_code_names_both_lines(tmp_path):
    path, table = bad_euro(tmp_path, lambda t: t.append(t[3]))
    with pytest.raises(InvalidInput) as exc:
        read_euro(path)
    msg = exc.value.detail
    assert "duplicate code" in msg and "line 904" in msg and "line 4" in msg and repr(table[3][1]) in msg


def test_missing_field_lists_available_headers():
    with pytest.raises(InvalidInput) as exc:
        read_euro(voters_field="votants")
    msg = exc.value.detail
    assert "'votants'" in msg and "nb_votant" in msg and "id_bv" in msg


def test_voters_above_registered(tmp_path):
    path, table = bad_euro(tmp_path, lambda t: t[19].__setitem__(col("nb_votant"), "99999"))
    with pytest.raises(InvalidInput, match=rf"line 20 \(code {table[19][1]!r}\).*voters \(99999\) > registered"):
        read_euro(path)


def test_negative_count(tmp_path):
    path, _ = bad_euro(tmp_path, lambda t: t[1].__setitem__(col("bardella_jordan"), "-3"))
    with pytest.raises(InvalidInput, match=r"line 2 .*'bardella_jordan' is negative"):
        read_euro(path)


def test_empty_code(tmp_path):
    path, _ = bad_euro(tmp_path, lambda t: t[5].__setitem__(col("id_bv"), "  "))
    with pytest.raises(InvalidInput, match=r"line 6: the code \('id_bv'\) is empty"):
        read_euro(path)


def test_exactly_one_of_voters_or_abstentions():
    with pytest.raises(InvalidInput, match="exactly one"):
        read_euro(voters_field=None)
    with pytest.raises(InvalidInput, match="exactly one"):
        read_euro(abstention_field="nb_inscr")


def test_abstention_column_counts_form(tmp_path):
    # Same real rows, with voters replaced by an abstention column (as some prefectures publish).
    def mutate(t):
        i_reg, i_vot = col("nb_inscr"), col("nb_votant")
        t[0][i_vot] = "abstentions"
        for row in t[1:]:
            row[i_vot] = str(int(row[i_reg]) - int(row[i_vot]))

    path, _ = bad_euro(tmp_path, mutate)
    res = read_euro(path, voters_field=None, abstention_field="abstentions")
    assert res.derived[0] == "voters"
    assert [(r.voters, r.abstentions) for r in res.rows] == [(r.voters, r.abstentions) for r in read_euro().rows]
