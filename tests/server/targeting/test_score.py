"""The score's arithmetic, on real Paris rows read straight from the results file (no services)."""

from __future__ import annotations

import csv

import pytest

from server.targeting.score import Factor, StationInputs, rank, score_station
from tests.conftest import DATA

CAMP = ["glucksmann_raphaël", "toussaint_marie"]


def paris_rows() -> list[dict]:
    with open(DATA / "paris_europeennes_2024_resultats_bv.csv", encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def inputs(row: dict, **kw) -> StationInputs:
    valid = int(row["nb_exprim"])
    shares = {name: int(row[name]) / valid for name in (*CAMP, "hayer_valérie", "bardella_jordan", "aubry_manon")}
    return StationInputs(
        row["id_bv"], int(row["nb_inscr"]), int(row["nb_inscr"]) - int(row["nb_votant"]), valid, shares, **kw
    )


def test_mobilisation_is_registered_times_abstention_rate_times_camp_share():
    for row in paris_rows()[:50]:
        reg, voters, valid = int(row["nb_inscr"]), int(row["nb_votant"]), int(row["nb_exprim"])
        hand = reg * ((reg - voters) / reg) * ((int(row[CAMP[0]]) + int(row[CAMP[1]])) / valid)
        s = score_station(inputs(row), CAMP)
        assert s.score == pytest.approx(hand, rel=1e-12)
        assert s.components["registered"] == reg and s.components["base"] == s.score
        assert s.components["canvassing"] == 1.0


def test_canvassing_and_factors():
    row = paris_rows()[0]
    base = score_station(inputs(row), CAMP).score
    assert score_station(inputs(row, volunteers=2), CAMP).score == pytest.approx(base / 3)
    # doors reported against households: the share of households left
    assert score_station(inputs(row, doors_knocked=300, households=1000.0), CAMP).score == pytest.approx(base * 0.7)
    f = Factor("green", 250)
    assert score_station(inputs(row, beyond={f.column: 0.4}), CAMP, factors=[f]).score == pytest.approx(base * 0.4)
    keep = Factor("green", 250, min_share=0.3)
    assert score_station(inputs(row, beyond={keep.column: 0.4}), CAMP, factors=[keep]).score == pytest.approx(base)
    dropped = score_station(inputs(row, beyond={keep.column: 0.2}), CAMP, factors=[keep])
    assert dropped.score == 0 and any("filtered out" in r for r in dropped.reasons)
    assert f.column == "share_beyond_green_250m"


def test_persuasion_prefers_close_races_with_near_voters():
    rows = paris_rows()[:200]
    scored = [score_station(inputs(r), ["hayer_valérie"], "persuasion", near=CAMP) for r in rows]
    for r, s in zip(rows, scored):
        c = s.components
        assert c["closeness"] == pytest.approx(1 - abs(c["camp_share"] - c["strongest_rival_share"]))
        assert s.score == pytest.approx(int(r["nb_exprim"]) * c["near_share"] * c["closeness"])
    ranked = rank(scored)
    assert ranked[0].score >= ranked[-1].score


def test_model_mode_counts_the_gap_to_the_prediction():
    row = paris_rows()[0]
    share = inputs(row, expected={"predicted": 0.30, "actual": 0.25, "kind": "share"})
    # a share of valid votes: the gap counts among the votes cast, not the registered
    assert score_station(share, CAMP, "model").score == pytest.approx(int(row["nb_exprim"]) * 0.05)
    no_valid = inputs(row, expected=share.expected)
    no_valid.valid_votes = None  # results with only registered and abstentions: the voters
    assert score_station(no_valid, CAMP, "model").score == pytest.approx(int(row["nb_votant"]) * 0.05)
    over = inputs(row, expected={"predicted": 0.20, "actual": 0.25, "kind": "share"})
    assert score_station(over, CAMP, "model").score == 0
    abst = inputs(row, expected={"predicted": 0.30, "actual": 0.40, "kind": "abstention", "camp_share": 0.5})
    assert score_station(abst, CAMP, "model").score == pytest.approx(int(row["nb_inscr"]) * 0.10 * 0.5)
