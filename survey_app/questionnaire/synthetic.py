"""Plausible synthetic responses to any valid questionnaire (demo campaign, benchmarks).

Nothing here knows a question id: answers are drawn by question type, and the
metadata drives realism:

* ``role: district`` — some districts answer more than others, QPV districts less;
* ``role: age_band`` (options from youngest to oldest) and ``role: sex`` (codes
  ``f``/``femme``/``2`` for women, ``h``/``m``/``homme``/``1`` for men) — older
  women are over-represented, young men under-represented, as in real surveys;
* ``indicator`` — the probability of a "need" answer is higher in QPV districts,
  varies by district and with a per-respondent vulnerability;
* ``longtext`` — French free text from planted themes (see :mod:`.synthetic_text`).

Responses respect conditions (hidden questions are never answered), bounds,
required questions, choice counts, exclusive options, ranking counts and
constraints. The same seed gives the same responses.
"""
from __future__ import annotations

import datetime as _dt
import random
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from .answers import TEXT_LIMITS
from .model import NSP_CODE, OTHER_SUFFIX, Definition, Option, Question
from .synthetic_plan import _code, _logit, _Plan, _Respondent, _sample, _sigmoid, _Weighted
from .synthetic_text import OTHER_TEXTS, SHORT_TEXTS
from .validation import constraint_failures, prune_hidden

__all__ = ["generate_responses", "generate_sample", "SyntheticSample"]

#: attempts at a response that breaks no constraint before dropping optional answers
_MAX_TRIES = 40


@dataclass
class SyntheticSample:
    responses: list[dict[str, Any]]
    #: per response: open question id -> planted theme keys (empty: blank or "rien")
    themes: list[dict[str, list[str]]] = field(default_factory=list)
    #: per response: district code, qpv flag, vulnerability (a latent, for checks)
    profiles: list[dict[str, Any]] = field(default_factory=list)


class _Generator:
    """Per-question drawing functions, compiled once: the hot loop stays small."""

    def __init__(self, plan: _Plan, rng: random.Random):
        self.plan = plan
        self.rng = rng
        self.themes: dict[str, list[str]] = {}
        self.steps = []
        for section in plan.definition.sections:
            steps = []
            for q in section.questions:
                if q.type == "note":
                    continue
                optional = not q.required and q.type != "longtext" and q.role is None
                steps.append((q.id, q.show_if_node, optional, self.compile(q)))
            self.steps.append((section.show_if_node, steps))

    # ------------------------------------------------------------ helpers
    def split(self, key: str, indicator, free_only: bool = False):
        """(need, other) distributions of an indicator's options (None when empty)."""
        base = self.plan.weights[key]
        if free_only:
            base = base.subset(lambda o: not o.exclusive) or base
        need = base.subset(lambda o: _code(o) in indicator.need)
        other = base.subset(lambda o: _code(o) not in indicator.need)
        return need or base, other or base

    def chooser(self, key: str, indicator) -> Callable[[_Respondent], _Weighted]:
        """A function giving, per respondent, the distribution to draw from."""
        dist = self.plan.weights[key]
        if indicator is None:
            return lambda who: dist
        need, other = self.split(key, indicator)
        base = _logit(self.plan.indicator_base[indicator.name])
        rnd = self.rng.random
        return lambda who: need if rnd() < _sigmoid(base + who.offset) else other

    def with_other(self, q: Question, out: dict, option: Option) -> str:
        if option.other and self.rng.random() < 0.7:
            out[q.id + OTHER_SUFFIX] = self.rng.choice(OTHER_TEXTS)
        return option.code

    # --------------------------------------------------------- by type
    def compile(self, q: Question) -> Callable[[_Respondent, dict], Any]:
        rng = self.rng
        qtype = q.type
        if qtype in ("single", "yesno"):
            choose = self.chooser(q.id, q.indicator)
            codes = q.codes
            if q.indicator is None and q.other_option is None and q.role is None:
                dist = self.plan.weights[q.id]
                plain = _Weighted([o.code for o in dist.items], dist.weights)
                return lambda who, out: plain.draw(rng)
            if q.role == "age_band":
                return lambda who, out: (codes[who.age_index] if who.age_index is not None
                                         else choose(who).draw(rng).code)
            if q.role == "sex":
                return lambda who, out: who.sex or choose(who).draw(rng).code
            return lambda who, out: self.with_other(q, out, choose(who).draw(rng))
        if qtype == "district":
            return lambda who, out: (NSP_CODE if who.district is None or rng.random() < 0.03
                                     else who.district)
        if qtype == "multiple":
            return self.compile_multiple(q)
        if qtype == "ranking":
            return self.compile_ranking(q)
        if qtype == "matrix":
            rows = [(row.id, self.chooser(f"{q.id}.{row.id}", row.indicator)) for row in q.rows]

            def matrix(who, out):
                answer = {}
                for row_id, choose in rows:
                    if q.required or rng.random() <= who.diligence + 0.05:
                        answer[row_id] = choose(who).draw(rng).code
                return answer or None
            return matrix
        if qtype == "scale":
            choose = self.chooser(q.id, q.indicator)
            return lambda who, out: choose(who).draw(rng)
        if qtype in ("integer", "decimal", "year"):
            return lambda who, out: self.number(q)
        if qtype == "date":
            return lambda who, out: self.date(q)
        if qtype == "text":
            pool = [t for t in SHORT_TEXTS if not q.pattern or re.fullmatch(q.pattern, t)]
            limit = min(q.max_length or TEXT_LIMITS["text"], TEXT_LIMITS["text"])
            pool = [t for t in pool if len(t) <= limit]
            return lambda who, out: rng.choice(pool) if pool else None
        return lambda who, out: self.long_text(q, who)

    def compile_multiple(self, q: Question):
        rng = self.rng
        dist = self.plan.weights[q.id]
        exclusives = [o for o in q.options if o.exclusive]
        free = dist.subset(lambda o: not o.exclusive)
        order = {o.code: i for i, o in enumerate(q.options)}
        if q.indicator is not None:
            need = dist.subset(lambda o: not o.exclusive and o.code in q.indicator.need)
            other = dist.subset(lambda o: not o.exclusive and o.code not in q.indicator.need)
            other_exclusive = dist.subset(lambda o: o.exclusive
                                          and o.code not in q.indicator.need)
            base = _logit(self.plan.indicator_base[q.indicator.name])
        minimum = max(q.min_choices or 1, 1)

        def multiple(who, out):
            if q.indicator is None:
                if exclusives and rng.random() < 0.12:
                    return [rng.choice(exclusives).code]
                candidates = free
            elif rng.random() < _sigmoid(base + who.offset):
                candidates = need or free
            elif other is not None and (other_exclusive is None or rng.random() < 0.5):
                candidates = other
            elif other_exclusive is not None:
                return [other_exclusive.draw(rng).code]
            else:
                candidates = free
            if candidates is None:
                return [rng.choice(exclusives).code] if exclusives else None
            if len(candidates.items) < minimum:
                candidates = free
            high = min(q.max_choices or len(candidates.items), len(candidates.items))
            k = min(minimum, high)
            while k < high and rng.random() < 0.45:
                k += 1
            chosen = _sample(rng, candidates, k)
            for option in chosen:
                if option.other:
                    self.with_other(q, out, option)
            return sorted((o.code for o in chosen), key=order.__getitem__)
        return multiple

    def compile_ranking(self, q: Question):
        rng = self.rng
        dist = self.plan.weights[q.id]
        high = min(q.rank_count or len(q.options), len(q.options))
        low = min(q.min_choices or 1, high)

        def ranking(who, out):
            k = high if rng.random() < 0.8 else rng.randint(low, high)
            chosen = _sample(rng, dist, k)
            for option in chosen:
                if option.other:
                    self.with_other(q, out, option)
            return [o.code for o in chosen]
        return ranking

    def number(self, q: Question) -> Any:
        rng = self.rng
        if q.type == "year":
            low = q.min if q.min is not None else 1930
            high = q.max if q.max is not None else _dt.date.today().year
            return rng.randint(low, max(low, high))
        low = q.min if q.min is not None else 0
        high = q.max if q.max is not None else low + 20
        span = high - low
        # counts and durations: most answers are small, a few are large
        value = low + rng.expovariate(1.0 / max(0.5, min(span / 4, 1 + span / 25)))
        if q.type == "integer":
            return min(high, max(low, int(value)))
        return min(high, max(low, round(value, 1)))

    def date(self, q: Question) -> str:
        low = _dt.date.fromisoformat(q.min) if q.min else _dt.date(2020, 1, 1)
        high = _dt.date.fromisoformat(q.max) if q.max else _dt.date(2024, 12, 31)
        span = max((high - low).days, 0)
        return (low + _dt.timedelta(days=self.rng.randint(0, span))).isoformat()

    def long_text(self, q: Question, who: _Respondent) -> str | None:
        text, themes = self.plan.text.answer(
            self.rng, axis=q.axis, qpv=who.qpv, district=who.district, age_frac=who.age_frac,
            blank_rate=0.0 if q.required else 0.3 + (1 - who.diligence))
        self.themes[q.id] = themes
        limit = min(q.max_length or TEXT_LIMITS["longtext"], TEXT_LIMITS["longtext"])
        if text is not None and len(text) > limit:
            text = text[:limit].strip()
        return text

    # ----------------------------------------------------------- response
    def response(self, who: _Respondent) -> dict[str, Any]:
        rnd = self.rng.random
        answers: dict[str, Any] = {}
        self.themes = {}
        diligence = who.diligence
        for section_if, steps in self.steps:
            if section_if is not None and not section_if.evaluate(answers):
                continue
            for qid, show_if, optional, draw in steps:
                if show_if is not None and not show_if.evaluate(answers):
                    continue
                if optional and rnd() > diligence:
                    continue
                value = draw(who, answers)
                if value is None or value == [] or value == {}:
                    answers.pop(qid + OTHER_SUFFIX, None)
                    continue
                answers[qid] = value
        return answers


def generate_sample(definition: Definition, *, districts: Sequence[Mapping], n: int,
                    seed: int) -> SyntheticSample:
    """``n`` synthetic responses with their planted themes and respondent profiles."""
    plan = _Plan(definition, districts, seed)
    rng = random.Random(f"cls-synthetic-responses:{seed}")
    generator = _Generator(plan, rng)
    sample = SyntheticSample([])
    for _ in range(n):
        who = plan.respondent(rng)
        for _attempt in range(_MAX_TRIES):
            answers = generator.response(who)
            failed = constraint_failures(definition, answers)
            if not failed:
                break
        else:  # give up on the optional answers the broken rules use
            for constraint in failed:
                for ref in constraint.value_refs:
                    if ref in definition.questions and not definition.questions[ref].required:
                        answers.pop(ref, None)
                        answers.pop(ref + OTHER_SUFFIX, None)
            answers = prune_hidden(definition, answers)
        sample.responses.append(answers)
        sample.themes.append(generator.themes)
        sample.profiles.append({"district": who.district, "qpv": who.qpv,
                                "vulnerability": who.vulnerability})
    return sample


def generate_responses(definition: Definition, *, districts: Sequence[Mapping], n: int,
                       seed: int) -> list[dict[str, Any]]:
    """``n`` plausible answer dicts for ``definition``, reproducible from ``seed``."""
    return generate_sample(definition, districts=districts, n=n, seed=seed).responses
