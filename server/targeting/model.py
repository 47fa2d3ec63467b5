"""A model of a result per polling station (a list's share, or abstention) from earlier results and
open-data features, validated honestly. Pure: arrays in, numbers out; no I/O.

* Cross-validation is grouped by district (scikit-learn's GroupKFold): a station is never predicted
  by a model that saw its neighbours, who share its answers (spatial autocorrelation would make
  plain k-fold flatter than reality).
* Baseline: the previous election's value for the station, as is. The model is used only if it
  beats that baseline on cross-validated R² and MAE.
* A regularised linear model (RidgeCV on standardised features, missing values imputed by the
  median) is the default; gradient boosting (HistGradientBoostingRegressor) replaces it only if
  it does better out of fold.
* Explanations: for each station, how much each feature moved its prediction away from the
  prediction for an average station (the feature set to its mean, the others kept). For the linear
  model this is exactly coefficient × standardised value.
"""

from __future__ import annotations

from typing import Any

from dataclasses import dataclass

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import RidgeCV
from sklearn.metrics import mean_absolute_error, r2_score
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits


@dataclass
class Dataset:
    codes: list[str]
    groups: list[str]  # the district of each station: the unit of cross-validation
    features: list[str]
    X: np.ndarray  # n × p, NaN where unknown
    y: np.ndarray  # n, the target (no NaN: rows without it are left out before)
    baseline: np.ndarray  # n, the previous election's value, NaN where unknown


def ridge():
    return make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), RidgeCV(alphas=np.logspace(-3, 3, 13)))


def boosting():
    return HistGradientBoostingRegressor(
        max_iter=200, learning_rate=0.05, max_leaf_nodes=15, min_samples_leaf=20, random_state=0
    )


MODELS = {"ridge": ridge, "boosting": boosting}


def grouped_folds(groups: list[str], n_splits: int) -> list[tuple[np.ndarray, np.ndarray]]:
    n_groups = len(set(groups))
    if n_groups < 2:
        raise ValueError("grouped cross-validation needs stations in at least two districts")
    return list(GroupKFold(n_splits=min(n_splits, n_groups)).split(np.zeros(len(groups)), groups=groups))


def _metrics(y: np.ndarray, pred: np.ndarray) -> dict:
    ok = ~np.isnan(pred)
    if ok.sum() < 2:
        return {"r2": None, "mae": None, "n": int(ok.sum())}
    return {
        "r2": float(r2_score(y[ok], pred[ok])),
        "mae": float(mean_absolute_error(y[ok], pred[ok])),
        "n": int(ok.sum()),
    }


def cross_validate(ds: Dataset, make, folds) -> tuple[np.ndarray, list[dict]]:
    """Out-of-fold predictions and per-fold metrics (with the districts each fold tested)."""
    oof = np.full(len(ds.y), np.nan)
    per_fold = []
    for train, test in folds:
        model = make().fit(ds.X[train], ds.y[train])
        oof[test] = model.predict(ds.X[test])
        per_fold.append({**_metrics(ds.y[test], oof[test]), "test_districts": sorted({ds.groups[i] for i in test})})
    return oof, per_fold


def _beats(m: dict, base: dict) -> bool:
    return base["r2"] is None or (m["r2"] > base["r2"] and m["mae"] < base["mae"])


def explain(model, X: np.ndarray, features: list[str], top: int = 3) -> list[list[tuple[str, float]]]:
    """Per station, the `top` features that moved its prediction most from the average station's."""
    with np.errstate(all="ignore"):
        means = np.nanmean(X, axis=0)
    means = np.where(np.isnan(means), 0.0, means)
    pred = model.predict(X)
    moved = np.empty_like(X, dtype=float)
    for j in range(X.shape[1]):
        Xj = X.copy()
        Xj[:, j] = means[j]
        moved[:, j] = pred - model.predict(Xj)
    out = []
    for row in moved:
        order = np.argsort(-np.abs(row))[:top]
        out.append([(features[j], float(row[j])) for j in order])
    return out


def fit(ds: Dataset, n_splits: int = 5) -> dict:
    # One thread: the data is small (one row per station), and OpenMP workers spinning on a busy
    # shared machine made the boosting folds many times slower than single-threaded.
    with threadpool_limits(limits=1):
        return _fit(ds, n_splits)


def _fit(ds: Dataset, n_splits: int) -> dict:
    """Cross-validate the baseline, ridge and boosting by district; keep the best model if it beats
    the baseline; refit it on every station. Returns metrics, the chosen model's weights, its
    out-of-fold prediction per station and each station's explanation."""
    folds = grouped_folds(ds.groups, n_splits)
    base_folds = [
        {**_metrics(ds.y[test], ds.baseline[test]), "test_districts": sorted({ds.groups[i] for i in test})}
        for _, test in folds
    ]
    result: dict[str, Any] = {
        "n": len(ds.y),
        "folds": len(folds),
        "features": ds.features,
        "baseline": {"overall": _metrics(ds.y, ds.baseline), "per_fold": base_folds},
    }
    oofs = {}
    for name, make in MODELS.items():
        oofs[name], per_fold = cross_validate(ds, make, folds)
        result[name] = {"overall": _metrics(ds.y, oofs[name]), "per_fold": per_fold}
    best = max(MODELS, key=lambda k: (result[k]["overall"]["r2"], k == "ridge"))
    if best == "boosting" and not _beats(result["boosting"]["overall"], result["ridge"]["overall"]):
        best = "ridge"  # boosting only when it beats the linear model on both R² and MAE
    result["chosen"] = best
    result["used"] = _beats(result[best]["overall"], result["baseline"]["overall"])
    model = MODELS[best]().fit(ds.X, ds.y)
    if best == "ridge":
        reg = model[-1]
        result["weights"] = {
            "kind": "standardised coefficients",
            "alpha": float(reg.alpha_),
            "intercept": float(reg.intercept_),
            "values": dict(zip(ds.features, map(float, reg.coef_))),
        }
    else:
        from sklearn.inspection import permutation_importance

        imp = permutation_importance(model, ds.X, ds.y, n_repeats=3, random_state=0)
        result["weights"] = {
            "kind": "permutation importances (R² drop)",
            "values": dict(zip(ds.features, map(float, imp.importances_mean))),
        }
    result["predicted"] = dict(zip(ds.codes, map(float, oofs[best])))
    result["explanations"] = dict(zip(ds.codes, explain(model, ds.X, ds.features)))
    return result
