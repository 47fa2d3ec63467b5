"""The fitted model on real Paris data: municipal 2026 round 1 from the European 2024 results,
median income and social housing; validation grouped by district."""

from __future__ import annotations

import json

import orjson
import pytest

from server.cli import main as cli_main
from server.demo import DATA, MUNICIPAL_2026_ELECTION
from server.targeting.model import grouped_folds

TARGET = f"{MUNICIPAL_2026_ELECTION}:pct_chikirou"
# Fewer folds than the CLI's default 5: each fold is a ridge and a boosting fit; 3 still groups
# the 20 districts and puts each in exactly one test fold.
FOLDS = 3


def test_grouped_folds_never_put_a_district_in_train_and_test():
    sectors = orjson.loads((DATA / "paris_secteurs_bureaux_vote_2024.geojson").read_bytes())["features"]
    groups = [str(f["properties"]["arrondissement_bv"]) for f in sectors]
    folds = grouped_folds(groups, 5)
    assert len(folds) == 5
    tested = []
    for train, test in folds:
        train_d, test_d = {groups[i] for i in train}, {groups[i] for i in test}
        assert not train_d & test_d and len(train) + len(test) == len(groups)
        tested += list(test)
    assert sorted(tested) == list(range(len(groups)))  # every station tested exactly once


def fit(capsys, slug: str, target: str, *extra: str) -> tuple[int, dict | None, str]:
    code = cli_main(
        [
            "model",
            "fit",
            "--campaign",
            slug,
            "--target",
            target,
            "--from",
            "europeennes-2024",
            "--layers",
            "income,social_housing",
            "--folds",
            str(FOLDS),
            *extra,
        ]
    )
    out, err = capsys.readouterr()
    lines = out.strip().splitlines()
    return code, (json.loads(lines[0]) if code == 0 else None), err


def test_fit_a_list_share_with_spatial_cross_validation(capsys, paris_2026):
    code, out, err = fit(capsys, paris_2026["slug"], TARGET, "--baseline", "aubry_manon")
    assert code == 0, err
    assert out["n"] > 850 and out["folds"] == FOLDS and out["chosen"] in ("ridge", "boosting")
    for name in ("baseline", "ridge", "boosting"):
        assert len(out[name]["per_fold"]) == FOLDS
        assert out[name]["overall"]["r2"] is not None and out[name]["overall"]["mae"] > 0
    folds = [set(f["test_districts"]) for f in out["ridge"]["per_fold"]]
    assert all(not (a & b) for i, a in enumerate(folds) for b in folds[i + 1 :])
    assert set().union(*folds) == {str(i) for i in range(1, 21)}
    # the chosen model is used only if it beats the naive baseline on both R² and MAE
    chosen, base = out[out["chosen"]]["overall"], out["baseline"]["overall"]
    assert out["used"] == (chosen["r2"] > base["r2"] and chosen["mae"] < base["mae"])
    assert (
        any(k.startswith("income:") or k.startswith("social_housing:") for k in out["top_weights"])
        or len(out["top_weights"]) == 8
    )


async def test_model_mode_ranks_by_the_gap_and_explains(pool, paris_2026):
    from server.targeting.fitting import fit_and_store

    async with pool.acquire() as c:
        out = await fit_and_store(
            c, paris_2026["id"], TARGET, ["europeennes-2024"], ["income", "social_housing"], "aubry_manon", FOLDS
        )
    if not out["used"]:
        pytest.skip("the model did not beat its baseline on this data: model mode refuses it (tested below)")
    from server.targeting.queries import score_stations
    from server.targeting.schemas import Target

    async with pool.acquire() as c:
        target = Target(election=MUNICIPAL_2026_ELECTION, camp=["pct_chikirou"], mode="model", model_target=TARGET)
        _, rows = await score_stations(c, paris_2026["id"], target)
        voters_of = {
            r["code"]: r["registered"] - r["abstentions"]
            for r in await c.fetch(
                "SELECT code, registered, abstentions FROM election_results WHERE campaign_id = $1 AND election = $2",
                paris_2026["id"],
                MUNICIPAL_2026_ELECTION,
            )
        }
        stored = await c.fetchval("SELECT model FROM targeting_models WHERE id = $1", out["model_id"])
    top = rows[0]
    assert top["score"] == pytest.approx(top["votes"] * (top["predicted"] - top["actual"]))
    voters = voters_of[top["code"]]
    assert top["votes"] == voters and voters < top["registered"]
    assert sum("model: " in r for r in top["reasons"]) == 3
    assert stored["weights"]["values"] and stored["predicted"][top["code"]] == top["predicted"]


def test_refusals(capsys, paris_2026):
    code, _, err = fit(capsys, paris_2026["slug"], "municipales-2026-t1:nobody")
    assert code == 2 and "no list 'nobody'" in err
    code = cli_main(
        [
            "model",
            "fit",
            "--campaign",
            paris_2026["slug"],
            "--target",
            "europeennes-2024:abstention",
            "--from",
            "europeennes-2024",
        ]
    )
    assert code == 2 and "cannot be its own feature" in capsys.readouterr().err
    code = cli_main(
        [
            "priorities",
            "export",
            "--campaign",
            paris_2026["slug"],
            "--camp",
            "pct_dati",
            "--mode",
            "model",
            "--model-target",
            "municipales-2026-t1:pct_dati",
        ]
    )
    assert code == 2 and "no usable model" in capsys.readouterr().err
