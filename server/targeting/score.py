"""The targeting score, explained: pure arithmetic on one station's figures, no I/O.

    score = base(mode) × factors × canvassing

base, by mode (camp = the campaign's lists, its share = the sum of their shares of valid votes):
* mobilisation: registered × abstention rate × camp share, i.e. the abstainers who would vote like
  the station's voters for the camp (a proxy, said as such);
* persuasion: valid votes × share of the lists near the camp × closeness, where
  closeness = 1 − |camp share − strongest rival's share| (a tight race, with voters close to us);
* model: the camp's votes a visit can add according to the fitted model: the gap between what the
  station's profile predicts (out of fold) and what it did, in votes: for a list-share model,
  valid votes × (predicted − actual share); for an abstention model, registered × (actual −
  predicted abstention rate) × camp share. Over-performing stations score 0 (see the README).
factors: for each open-data factor, × the station's share beyond D metres of a layer, or a filter
(score 0 below a minimum share).
canvassing: 1 / (1 + volunteers who canvassed it), or the share of households left once doors are
reported (when a households layer is given).
Every station carries each component and its inputs: nothing here is a black box.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dataclasses import dataclass, field

MODES = ("mobilisation", "persuasion", "model")


@dataclass
class Factor:
    layer: str
    metres: float
    min_share: float | None = None  # None: multiply by the share; a number: keep stations at or above it

    @property
    def column(self) -> str:
        return f"share_beyond_{self.layer}_{self.metres:g}m"


@dataclass
class StationInputs:
    code: str
    registered: int | None
    abstentions: int | None
    valid_votes: int | None
    shares: dict[str, float | None]  # list -> share of valid votes, in the chosen election
    volunteers: int = 0
    doors_knocked: int = 0
    households: float | None = None  # from a households layer, when the target names one
    beyond: dict[str, float | None] = field(default_factory=dict)  # Factor.column -> share
    expected: dict[str, Any] = field(default_factory=dict)  # model: predicted, actual


@dataclass
class Scored:
    code: str
    score: float | None
    components: dict[str, float | None]
    reasons: list[str]


def camp_share(s: StationInputs, camp: list[str]) -> float | None:
    vals = [s.shares.get(name) for name in camp]
    known = [v for v in vals if v is not None]
    return None if len(known) < len(vals) else sum(known)


def _mobilisation(s: StationInputs, camp: list[str], comp: dict) -> float | None:
    share = camp_share(s, camp)
    rate = s.abstentions / s.registered if s.registered and s.abstentions is not None else None
    comp.update(registered=s.registered, abstention_rate=rate, camp_share=share)
    return None if rate is None or share is None or s.registered is None else s.registered * rate * share


def _persuasion(s: StationInputs, camp: list[str], near: list[str], comp: dict) -> float | None:
    share = camp_share(s, camp)
    near_share = sum(v for k in near if (v := s.shares.get(k)) is not None) if near else None
    rivals = [v for k, v in s.shares.items() if k not in camp and k not in near and v is not None]
    rival = max(rivals, default=0.0)
    closeness = None if share is None else max(0.0, 1 - abs(share - rival))
    comp.update(
        valid_votes=s.valid_votes,
        camp_share=share,
        near_share=near_share,
        strongest_rival_share=rival,
        closeness=closeness,
    )
    if s.valid_votes is None or closeness is None or near_share is None:
        return None
    return s.valid_votes * near_share * closeness


def _votes_cast(s: StationInputs) -> int | None:
    """The valid votes a share is of; when the results give only registered and abstentions (the
    2026 file), the voters, blank and void ballots included (about 2 % more)."""
    if s.valid_votes is not None:
        return s.valid_votes
    return None if s.registered is None or s.abstentions is None else s.registered - s.abstentions


def _model(s: StationInputs, comp: dict) -> float | None:
    """`expected` holds the model's out-of-fold prediction and the actual value of its target, and
    `kind`: a list share (the camp got less of the votes cast than its profile predicts: votes to
    win among voters) or abstention (more abstainers than predicted: voters to bring back, of whom
    the camp's share would vote for it)."""
    pred, actual, kind = s.expected.get("predicted"), s.expected.get("actual"), s.expected.get("kind")
    votes = _votes_cast(s) if kind == "share" else s.registered
    comp.update(registered=s.registered, votes=votes, predicted=pred, actual=actual)
    if pred is None or actual is None or not votes:
        return None
    gap = max(0.0, pred - actual) if kind == "share" else max(0.0, actual - pred)
    comp["gap"] = gap
    return votes * gap * (1.0 if kind == "share" else (s.expected.get("camp_share") or 0.0))


def score_station(
    s: StationInputs,
    camp: list[str],
    mode: str = "mobilisation",
    near: Sequence[str] = (),
    factors: Sequence[Factor] = (),
) -> Scored:
    comp: dict[str, float | None] = {}
    if mode == "mobilisation":
        base = _mobilisation(s, camp, comp)
    elif mode == "persuasion":
        base = _persuasion(s, camp, list(near), comp)
    else:
        base = _model(s, comp)
    comp["base"] = base
    reasons = _base_reasons(mode, comp, camp)
    if base is None:
        return Scored(s.code, None, comp, reasons or ["no figures for this station in the election"])
    value = base
    for f in factors:
        share = s.beyond.get(f.column)
        comp[f.column] = share
        if f.min_share is None:
            value *= share if share is not None else 0.0
            reasons.append(
                f"× {share:.0%} of it farther than {f.metres:g} m from {f.layer}"
                if share is not None
                else f"no {f.layer} zone figure"
            )
        elif share is None or share < f.min_share:
            value = 0.0
            reasons.append(
                f"filtered out: {0 if share is None else share:.0%} farther than {f.metres:g} m from "
                f"{f.layer}, below {f.min_share:.0%}"
            )
    value *= _canvassing(s, comp, reasons)
    return Scored(s.code, value, comp, reasons)


def _canvassing(s: StationInputs, comp: dict, reasons: list[str]) -> float:
    comp.update(volunteers=s.volunteers, doors_knocked=s.doors_knocked, households=s.households)
    if s.households and s.doors_knocked:
        left = max(0.0, 1 - s.doors_knocked / s.households)
        reasons.append(f"{s.doors_knocked:,} of about {s.households:,.0f} households' doors knocked")
    else:
        left = 1 / (1 + s.volunteers)
        reasons.append(
            "not canvassed in this period"
            if s.volunteers == 0
            else f"already canvassed by {s.volunteers} volunteer{'s' if s.volunteers > 1 else ''}"
        )
    comp["canvassing"] = left
    return left


def _base_reasons(mode: str, c: dict, camp: list[str]) -> list[str]:
    names = " + ".join(camp)
    if mode == "mobilisation" and c.get("abstention_rate") is not None and c.get("camp_share") is not None:
        return [
            f"{c['registered']:,} registered, {c['abstention_rate']:.0%} abstained",
            f"{names} won {c['camp_share']:.0%} of the valid votes here",
        ]
    if mode == "persuasion" and c.get("closeness") is not None:
        return [
            f"{names} {c['camp_share']:.0%} against {c['strongest_rival_share']:.0%} for the strongest rival",
            f"lists near the camp won {c['near_share'] or 0:.0%}",
        ]
    if mode == "model" and c.get("gap") is not None:
        return [
            f"predicted {c['predicted']:.1%}, actual {c['actual']:.1%}: a gap of {c['gap']:.1%} "
            f"of {c['votes']:,} {'votes cast' if c['votes'] != c['registered'] else 'registered'}"
        ]
    return []


def rank(scored: list[Scored]) -> list[Scored]:
    """Highest score first; stations without a score last; the code breaks ties."""
    return sorted(scored, key=lambda x: (1, 0.0, x.code) if x.score is None else (0, -x.score, x.code))
