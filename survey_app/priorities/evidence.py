"""A campaign's evidence for its candidate priorities, read from the database.

Turns the campaign's data into the input types of :mod:`analysis.priorities`:

- need indicators of the residents' questionnaire, weighted (census margins) or not,
  for the town, each district and QPV, with each district (and QPV) compared with the
  rest of the town, Benjamini-Hochberg adjusted over every indicator and district (and,
  apart, over every indicator for QPV), the families of the result pages;
- free-text themes: the weighted share of respondents who raise each theme of the
  codebook coding, the number who do, and typical answers (masked later);
- the residents' ranking of the town's health priorities (first, and top three);
- the professionals' questionnaire: each of its indicators as an unweighted count.

Whatever is missing (no margins, no free text, no professionals, a district under 11
respondents) is said in :attr:`CampaignEvidence.limits` instead of failing. The result
is kept per process, keyed on everything it is computed from
(:func:`data_fingerprint`): a new response, new weights, margins, codings or a changed
codebook give another key. Pages never call this: the job "priorities" (:mod:`.jobs`)
gathers it and stores it as plain values (:mod:`.stored`).

This module imports pandas and :mod:`analysis`: import it inside the functions that use it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.axes import best_axis
from analysis.crosstab import MIN_CELL, TOWN, benjamini_hochberg, indicator_tables
from analysis.priorities import (
    MAX_VERBATIMS, Figure, ProfessionalEvidence, compare_indicators, indicator_evidence,
    ranking_evidence, ranking_shares, theme_evidence,
)

from ..domain import ServiceError
from ..infra.caches import Memo
from ..models import Campaign, WeightingRun
from ..questionnaire.model import NSP_CODE
from .stored import CampaignEvidence, data_key
from .stored import forget as _forget_stored

RESIDENT, PROFESSIONAL = "resident", "professional"
#: The residents' ranking question, when the questionnaire has it (else its first ranking question).
RANKING_QUESTION = "priorites_ville"
#: Profiles every indicator is compared on.
DOMAINS = ("district", "qpv")
#: Shortest answer quoted as a verbatim (shorter ones rarely say anything on their own).
MIN_QUOTE_LENGTH = 15

#: Evidence per campaign and data fingerprint. Rule: the key holds every value the
#: evidence is computed from (responses, weights, margins, codings, codebook,
#: questionnaires, districts), so a change gives another key; never stale.
EVIDENCE = Memo("priority_evidence", 16, "key = fingerprint of every input: never stale")

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*", re.UNICODE)


# --------------------------------------------------------------------------- cache key


def data_fingerprint(session: Session, campaign: Campaign) -> str:
    """Return a cheap signature of everything the evidence is computed from (:func:`.stored.data_stamp`)."""
    return data_key(session, campaign)


def campaign_evidence(session: Session, campaign: Campaign) -> CampaignEvidence:
    """Return the campaign's evidence (computed once per state of its data and process).

    Raises
    ------
    ServiceError
        The residents' questionnaire is not loaded, or no resident has answered yet.
    """
    key = data_fingerprint(session, campaign)
    found = EVIDENCE.get(key)
    if found is None:
        found = EVIDENCE.put(key, gather_evidence(session, campaign))
        # Gathering may itself store what it needed (the codebook's first copy): the
        # next request sees that state, which is the same data.
        EVIDENCE.put(data_fingerprint(session, campaign), found)
    return found


def forget() -> None:
    """Drop every kept evidence (tests; after editing stored answers in place)."""
    EVIDENCE.clear()
    _forget_stored()


# --------------------------------------------------------------------------- gathering


@dataclass
class _Residents:
    table: pd.DataFrame
    definition: object
    design: object
    weighted: bool
    note: str


def residents_sample(session: Session, campaign: Campaign) -> _Residents:
    """The residents' responses and their design: weighted when the campaign can be, else not (said so)."""
    from analysis.weighting import Design

    from ..campaigns import margins
    from ..findings import frame as exports
    from ..findings import weights

    everyone, definition = exports.tidy_responses(session, campaign, RESIDENT)
    if everyone.empty:
        raise ServiceError("Aucun habitant n'a encore complété le questionnaire : il n'y a pas de "
                           "priorités candidates à construire.")
    unweighted = ("Résultats non pondérés : {reason}. Chaque réponse compte pour une ; les parts "
                  "décrivent les répondants, pas la population.")
    if margins.margins_frame(session, campaign).empty:
        note = unweighted.format(reason="la campagne n'a pas de marges de recensement")
    else:
        run = session.scalar(select(WeightingRun).where(
            WeightingRun.campaign_id == campaign.id, WeightingRun.is_current.is_(True))
            .order_by(WeightingRun.id.desc()).limit(1))
        settings = ((run.diagnostics or {}).get("settings") or {}) if run is not None else {}
        options = {name: settings[name] for name in ("min_respondents", "trim_upper")
                   if settings.get(name) is not None}
        if settings.get("method") == "poststratify":
            options = {"method": "poststratify", "cells": (settings.get("variables") or [None])[0]}
        try:
            sample = weights.weight_sample(session, campaign, RESIDENT, **options)
        except ServiceError as error:
            note = unweighted.format(reason=f"la pondération a échoué ({str(error).rstrip('.')})")
        else:
            left_out = len(sample.excluded)
            note = ("Résultats pondérés par calage sur les marges du recensement ("
                    + ", ".join(sample.settings.get("variables", [])) + ")")
            note += (f" ; {left_out} réponse(s) hors des catégories du recensement ne sont pas comptées."
                     if left_out else ".")
            return _Residents(sample.table.copy(), sample.definition, sample.design, True, note)
    table = everyone.copy()
    return _Residents(table, definition, Design.from_frame(table), False, note)


def gather_evidence(session: Session, campaign: Campaign, *, progress=None) -> CampaignEvidence:
    """Compute the campaign's evidence from the database (see the module's docstring).

    `progress`, when given, is called as ``progress(fraction, message)`` between the
    steps (a job's :meth:`~survey_app.jobs.runner.JobHandle.progress`, which commits).
    """
    from ..findings.indicators import QPV_LABELS, add_profiles
    from ..jobs.i18n import _

    def step(fraction: float, message: str) -> None:
        if progress is not None:
            progress(fraction, message)

    step(0.05, _("Pondération des réponses des habitants…"))
    residents = residents_sample(session, campaign)
    limits = [] if residents.weighted else [residents.note]
    table, definition = residents.table, residents.definition
    profiles = add_profiles(table, definition, campaign)
    domains = [p for p in DOMAINS if p in profiles]
    district_names = {d.code: d.name for d in campaign.districts}
    group_labels = {("district", code): name for code, name in district_names.items()}
    group_labels.update({("qpv", label): label for label in QPV_LABELS.values()})
    axis_labels = {key: definition.axis_label(key) for key in definition.axes}

    step(0.15, _("Indicateurs de besoin et comparaisons entre quartiers…"))
    indicators = _indicators(table, definition, residents.design, domains)
    if "district" in table.columns:
        sizes = table["district"].astype(str).value_counts()
        thin = [d.name for d in campaign.districts if sizes.get(d.code, 0) < MIN_CELL]
        if thin:
            limits.append(("Moins de 11 répondants dans " + ("le quartier " if len(thin) == 1
                                                              else "les quartiers ")
                           + ", ".join(thin) + " : leurs chiffres ne sont pas publiés et ils ne "
                           "sont comparés au reste de la ville pour aucun besoin ; ils comptent "
                           "dans l'ensemble de la ville."))
    else:
        limits.append("Le questionnaire ne demande pas le quartier : aucune comparaison entre "
                      "quartiers n'est possible.")
    step(0.4, _("Thèmes des réponses libres (codage automatique ; la première fois, chargement du "
                "modèle de langue français)…"))
    themes, theme_limits = _themes(session, campaign)
    step(0.85, _("Classement des priorités par les habitants…"))
    ranking, ranking_limits = _ranking(table, definition, residents.design)
    step(0.9, _("Questionnaire des professionnels de santé…"))
    professional, professionals, pro_limits = _professionals(session, campaign)
    limits += theme_limits + ranking_limits + pro_limits
    return CampaignEvidence(indicators, themes, ranking, professional, residents.weighted,
                            residents.note, int(len(table)), professionals, tuple(limits),
                            axis_labels, district_names, group_labels)


def _indicators(table, definition, design, domains) -> tuple:
    """Indicator evidence of the residents: town, districts, QPV and the gaps."""
    from ..findings.indicators import indicator_columns

    specs = indicator_columns(table, definition)
    if not specs:
        return ()
    tables = indicator_tables(table, design, specs, by=domains)
    labels = {i.name: i.label("fr") for i in definition.indicators()}
    tables.insert(1, "label", tables["indicator"].map(labels))
    comparisons = None
    if domains:
        comparisons = compare_indicators(table, design, specs, domains)
        # A group that is not published (nor the "je ne sais pas" of the district question)
        # is not compared, nor counted in the family of comparisons.
        shown = tables[(tables["variable"] != TOWN) & ~tables["suppressed"].astype(bool)]
        keys = set(zip(shown["indicator"], shown["variable"], shown["group"].astype(str)))
        keep = [(i, v, g) in keys and g != NSP_CODE for i, v, g in
                zip(comparisons["indicator"], comparisons["variable"], comparisons["group"])]
        comparisons = comparisons[keep].reset_index(drop=True)
        # One family per level, as the result pages do: every indicator × every district,
        # and every indicator × QPV / outside QPV.
        comparisons["p_adjusted"] = float("nan")
        for _variable, rows in comparisons.groupby("variable"):
            comparisons.loc[rows.index, "p_adjusted"] = benjamini_hochberg(rows["p_value"].to_numpy(dtype=float))
    axes = {i.name: i.axis or definition.question(i.question_id).axis for i in definition.indicators()}
    return indicator_evidence(tables, comparisons, axes=axes, labels=labels)


def guess_axis(text: str) -> str | None:
    """The CLS axis whose keywords a label's words (crudely singularised) match best."""
    words = [w.lower() for w in _WORD.findall(str(text))]
    singular = [w[:-1] if len(w) > 3 and w[-1] in "sx" else w for w in words]
    terms = []
    for seq in (words, singular):
        terms += seq + [f"{a} {b}" for a, b in zip(seq, seq[1:])] \
            + [f"{a} {b} {c}" for a, b, c in zip(seq, seq[1:], seq[2:])]
    return best_axis(terms).axis


def _themes(session: Session, campaign: Campaign) -> tuple[tuple, list[str]]:
    """Themes of the coded free text: share, count, typical answers."""
    from ..coding import results as coding_results
    from ..coding import services as coding

    try:
        shares = coding_results.theme_shares(session, campaign)
        state = coding.coder_state(session, campaign)
    except ServiceError as error:
        return (), [f"Pas de thèmes tirés des réponses libres : {str(error).rstrip('.')}."]
    codebook = coding.parsed_codebook(coding.codebook_row(session, campaign).definition)
    with state.lock:
        codings = state.coder.codings()
        answers = state.answers.frame[["answer_id", "response_id", "text", "district"]].copy()
        coded = state.coder.answers
        useful = set(coded.loc[coded["excluded"].isna(), "answer_id"]) if "excluded" in coded else None
    if useful is not None:
        answers = answers[answers["answer_id"].isin(useful)]
    codings = codings[codings["answer_id"].isin(set(answers["answer_id"]))]
    raised = codings.groupby("theme")["response_id"].nunique()
    district_of = dict(zip(answers["response_id"], answers["district"].astype(object)))
    by_district_counts = (codings.assign(district=codings["response_id"].map(district_of))
                          .groupby(["theme", "district"])["response_id"].nunique())
    overall = shares.overall.assign(n_cell=shares.overall["theme"].map(raised).fillna(0).astype(int))
    by_district = shares.by_district.assign(n_cell=[
        int(by_district_counts.get((t, d), 0))
        for t, d in zip(shares.by_district["theme"], shares.by_district["domain"])])
    text_of = dict(zip(answers["answer_id"], answers["text"]))
    main = codings[codings["rank"] == 1].assign(human=lambda f: f["source"] == "human")
    main = main.sort_values(["human", "confidence", "answer_id"], ascending=[False, False, True])
    verbatims: dict[str, list[str]] = {}
    for theme, answer in zip(main["theme"], main["answer_id"]):
        texts = verbatims.setdefault(theme, [])
        text = " ".join(str(text_of.get(answer, "")).split())
        if len(texts) < MAX_VERBATIMS and len(text) >= MIN_QUOTE_LENGTH and text not in texts:
            texts.append(text)
    evidence = theme_evidence(overall, axes=codebook, by_district=by_district, verbatims=verbatims)
    limits = [f"Réponses libres : {shares.weighting}"] if "non pondérées" in shares.weighting else []
    if not len(evidence):
        limits.append("Aucun thème n'a été trouvé dans les réponses libres.")
    return evidence, limits


def _ranking(table, definition, design) -> tuple[tuple, list[str]]:
    """The residents' ranking of the town's priorities: first, and among the first three."""
    question = definition.questions.get(RANKING_QUESTION)
    if question is None or question.type != "ranking":
        question = next((q for q in definition.questions.values() if q.type == "ranking"), None)
    if question is None:
        return (), ["Le questionnaire ne demande pas aux habitants de classer les priorités : "
                    "la demande exprimée (D) ne repose que sur les réponses libres."]
    if f"{question.id}__rang1" not in table.columns or table[f"{question.id}__rang1"].notna().sum() == 0:
        return (), ["Aucun habitant n'a classé les priorités de la commune."]
    top = question.rank_count or 3
    # "Autre (précisez)" names no need: its share is not evidence of one (the base still
    # counts those who chose it).
    options = [o for o in question.options if not o.other]
    shares = ranking_shares(table, design, question.id, [o.code for o in options], top=top)
    labels = {o.code: o.label("fr") for o in options}
    axes = {code: question.axis or guess_axis(label) for code, label in labels.items()}
    return ranking_evidence(shares, labels=labels, axes=axes, top=top), []


def _professionals(session: Session, campaign: Campaign) -> tuple[tuple, int, list[str]]:
    """Each indicator of the professionals' questionnaire, as a count among those who answered.

    An indicator of a matrix row or of the questionnaire's "besoins" section is a need the
    professionals see (``kind="need"``); any other (doctors leaving, new patients
    refused, coordination) is the capacity of care.
    """
    from ..findings import frame as exports
    from ..findings.indicators import indicator_columns

    try:
        table, definition = exports.tidy_responses(session, campaign, PROFESSIONAL)
    except ServiceError:
        return (), 0, ["Pas de questionnaire des professionnels de santé dans cette campagne : "
                       "la gravité (B) n'est pas proposée d'après eux."]
    n = int(len(table))
    if n == 0:
        return (), 0, ["Aucun professionnel de santé n'a encore répondu : la gravité (B) n'est pas "
                       "proposée d'après eux."]
    limits = []
    if n < MIN_CELL:
        limits.append(f"Moins de 11 professionnels de santé ont répondu : leurs réponses ne sont pas chiffrées.")
    indicators = {i.name: i for i in definition.indicators()}
    evidence = []
    for name, column, need in indicator_columns(table, definition):
        indicator = indicators[name]
        question = definition.question(indicator.question_id)
        values = table[column] if column in table.columns else pd.Series(dtype=object)
        valid = values.notna()
        hits = int(values[valid].astype(str).isin([str(c) for c in need]).sum())
        figure = Figure.from_counts(hits, int(valid.sum()))
        kind = "need" if indicator.row_id or question.section_id == "besoins" else "capacity"
        label = indicator.label("fr")
        axis = indicator.axis or question.axis or guess_axis(label)
        evidence.append(ProfessionalEvidence(name, label, axis, kind, figure))
    return tuple(evidence), n, limits
