"""The apps' value parsers and the shared ranges, without services."""

from __future__ import annotations

import pytest

from ingest.fields import parse_time, text_number
from ingest.protocol import RANGES, PingError, in_range, json_number


@pytest.mark.parametrize("text", ["²", "nan", "inf", "1_000", "٣", " 1", "0x10", "1e999"])
def test_text_number_refuses_what_float_would_take_or_choke_on(text):
    with pytest.raises(PingError) as err:
        text_number(text, "speed")
    assert "speed" in err.value.reason


def test_text_number_reads_decimals():
    assert text_number("-12.5", "alt") == -12.5 and text_number("1e3", "acc") == 1000.0
    assert text_number("", "acc") is None


@pytest.mark.parametrize("value", ["²", "9" * 400, 1e300, float("inf"), "0001-01-01T00:00:00+99:00", [], True])
def test_parse_time_refuses_with_a_reason(value):
    with pytest.raises(PingError):
        parse_time(value)


def test_parse_time_forms():
    assert parse_time("1700000000") == 1700000000.0
    assert parse_time("1700000000123") == pytest.approx(1700000000.123)
    assert parse_time("2023-11-14T22:13:20Z") == 1700000000.0
    assert parse_time("2023-11-14 22:13:20") == 1700000000.0


def test_json_number_is_strict():
    for value in ("48.85", True, [1], {"a": 1}):
        with pytest.raises(PingError):
            json_number(value, "lat")
    with pytest.raises(PingError) as err:
        json_number(10**400, "tst")
    assert err.value.code == "out_of_range"


def test_every_range_fits_a_postgres_real():
    for lo, hi, _ in RANGES.values():
        assert -3.4e38 < lo < hi < 3.4e38
    assert in_range("spd", -1.0, 1) is None  # "unknown", as phones say it
    with pytest.raises(PingError):
        in_range("acc", -1.0, 1)
