"""What a synthetic-response run draws once: distributions, district effects, profiles.

See :mod:`.synthetic` for what drives the realism.
"""
from __future__ import annotations

import math
import random
from bisect import bisect
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, Callable, Mapping, Sequence

from .model import NSP_CODE, Definition, Option, Question
from .synthetic_text import TextSynth

_WOMEN = frozenset({"f", "femme", "femmes", "w", "woman", "female", "2"})
_MEN = frozenset({"h", "m", "homme", "hommes", "man", "male", "1"})
_VAGUE = frozenset({NSP_CODE, "nr", "nsp_nr", "refus", "ne_sait_pas", "autre"})


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


class _Weighted:
    """Fast repeated draws from a fixed discrete distribution."""

    __slots__ = ("items", "weights", "cum", "total")

    def __init__(self, items: Sequence, weights: Sequence[float]):
        self.items = list(items)
        self.weights = list(weights)
        self.cum = list(accumulate(self.weights))
        self.total = self.cum[-1] if self.cum else 0.0
        if self.cum:
            self.cum[-1] = math.inf  # bisect never runs past the last item

    def draw(self, rng: random.Random):
        return self.items[bisect(self.cum, rng.random() * self.total)]

    def subset(self, keep: Callable[[Any], bool]) -> "_Weighted | None":
        pairs = [(i, w) for i, w in zip(self.items, self.weights) if keep(i)]
        return _Weighted([i for i, _ in pairs], [w for _, w in pairs]) if pairs else None


@dataclass
class _Respondent:
    district: str | None
    qpv: bool
    age_index: int | None
    age_frac: float | None
    sex: str | None
    vulnerability: float
    diligence: float
    #: added to an indicator's base log-odds: vulnerability, QPV, district effect
    offset: float = 0.0


class _Plan:
    """Everything drawn once per call: per-question distributions, district effects."""

    def __init__(self, definition: Definition, districts: Sequence[Mapping], seed: int):
        self.definition = definition
        setup = random.Random(f"cls-synthetic-plan:{seed}")
        self.districts = [(str(d["code"]), bool(d.get("qpv"))) for d in districts]
        self.qpv = dict(self.districts)
        codes = [c for c, _ in self.districts]
        self.district_draw = _Weighted(
            codes, [setup.lognormvariate(0.0, 0.45) * (0.7 if qpv else 1.0)
                    for _, qpv in self.districts]) if codes else None
        self.district_effect = {c: setup.gauss(0.0, 0.25) for c in codes}
        self.text = TextSynth(setup, codes)
        roles = definition.roles()
        self.age_q, self.sex_q = roles.get("age_band"), roles.get("sex")
        self.profile_draw = self._profile_distribution()
        self.weights: dict[str, _Weighted] = {}
        self.subsets: dict[tuple, _Weighted] = {}
        self.indicator_base: dict[str, float] = {}
        for q in definition.questions.values():
            qrng = random.Random(f"cls-synthetic-question:{seed}:{q.id}")
            self._prepare(q, qrng)

    def _option_weights(self, q: Question, rng: random.Random, codes=None) -> list[float]:
        out = []
        for o in q.options:
            w = rng.gammavariate(1.6, 1.0)
            if o.other:
                w *= 0.12
            if o.exclusive:
                w *= 0.35
            if o.code in _VAGUE:
                w *= 0.25
            out.append(w)
        return out

    def _prepare(self, q: Question, rng: random.Random) -> None:
        if q.type in ("single", "multiple", "ranking"):
            self.weights[q.id] = _Weighted(q.options, self._option_weights(q, rng))
        elif q.type == "matrix":
            for row in q.rows:
                self.weights[f"{q.id}.{row.id}"] = _Weighted(q.options,
                                                             self._option_weights(q, rng))
        elif q.type == "scale":
            low, high = q.min, q.max
            mode = rng.uniform(low, high)
            spread = rng.uniform(0.8, 2.5)
            values = list(range(low, high + 1))
            self.weights[q.id] = _Weighted(values, [math.exp(-abs(v - mode) / spread)
                                                    for v in values])
        elif q.type == "yesno":
            p = rng.uniform(0.2, 0.8)
            self.weights[q.id] = _Weighted(q.options, [p, 1 - p])
        for indicator in q.indicators():
            self.indicator_base[indicator.name] = rng.uniform(0.12, 0.4)

    def _profile_distribution(self) -> _Weighted | None:
        """Joint (age option, sex option) draw with the usual response skew."""
        ages = self.age_q.options if self.age_q else [None]
        sexes = self.sex_q.options if self.sex_q else [None]
        bands = [o for o in ages if o is not None and o.code not in _VAGUE and not o.other]
        items, weights = [], []
        for age in ages:
            if age is not None and age in bands:
                i = bands.index(age)
                frac = i / (len(bands) - 1) if len(bands) > 1 else 0.5
                age_w = 0.45 + 1.3 * frac
            else:
                frac, age_w = None, (1.0 if age is None else 0.03)
            for sex in sexes:
                if sex is None:
                    sex_w = 1.0
                else:
                    code = sex.code.casefold()
                    sex_w = 1.4 if code in _WOMEN else 0.8 if code in _MEN else 0.05
                    if code in _MEN and frac is not None and frac < 0.35:
                        sex_w *= 0.6  # young men answer least
                items.append((age, frac, sex))
                weights.append(age_w * sex_w)
        return _Weighted(items, weights)

    def respondent(self, rng: random.Random) -> _Respondent:
        district = self.district_draw.draw(rng) if self.district_draw else None
        age, frac, sex = self.profile_draw.draw(rng)
        ages = self.age_q.options if self.age_q else []
        qpv = self.qpv.get(district, False)
        vulnerability = rng.gauss(0.0, 1.0)
        offset = 0.6 * vulnerability
        if district is not None:
            offset += 0.9 * qpv + self.district_effect.get(district, 0.0)
        return _Respondent(
            district=district, qpv=qpv,
            age_index=ages.index(age) if age is not None else None, age_frac=frac,
            sex=sex.code if sex is not None else None, vulnerability=vulnerability,
            diligence=rng.uniform(0.82, 1.0), offset=offset)


def _code(item: Any) -> str:
    return item.code if isinstance(item, Option) else str(item)


def _sample(rng: random.Random, dist: _Weighted, k: int) -> list:
    """k distinct items, each drawn with probability proportional to its weight."""
    items = dist.items
    k = min(k, len(items))
    if 2 * k <= len(items):  # few items: draw and reject repeats
        chosen: list = []
        while len(chosen) < k:
            item = dist.draw(rng)
            if item not in chosen:
                chosen.append(item)
        return chosen
    pool, weights, chosen = list(items), list(dist.weights), []
    for _ in range(k):
        i = min(bisect(list(accumulate(weights)), rng.random() * sum(weights)), len(pool) - 1)
        chosen.append(pool.pop(i))
        weights.pop(i)
    return chosen
