"""What residents and professionals said: themes, word clouds, verbatims, proposals."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..domain import ServiceError
from .values import MIN_CELL, count, share

#: Verbatims quoted per theme and per axis.
QUOTES = 3
QUOTE_LENGTH = 400
#: Words of a theme's cloud, each used by at least 11 respondents.
CLOUD_WORDS = 25
PROPOSAL_QUESTIONS = {"resident": ("propositions", "aide_prendre_soin"),
                      "professional": ("actions_proposees",)}
PROFESSIONAL_TEXTS = ("problemes_prioritaires", "publics_besoins", "remarques")
_WORD = re.compile(r"[^\W\d_][\w'-]{3,}", re.UNICODE)
#: An elided article or pronoun before an apostrophe (« l' », « qu' », « c’ »).
_ELISION = re.compile(r"\b\w{1,2}['’]", re.UNICODE)


@dataclass
class VoicesPart:
    """Residents' free text: themes with shares, clouds and quotes, and proposals by axis."""

    themes: list[dict] = field(default_factory=list)
    evidence: tuple = ()
    proposals: dict = field(default_factory=dict)
    limits: list[str] = field(default_factory=list)
    weighting: str = ""


@dataclass
class ProfessionalsPart:
    n: int = 0
    shown: bool = False
    items: list[dict] = field(default_factory=list)
    evidence: tuple = ()
    quotes: dict = field(default_factory=dict)
    proposals: dict = field(default_factory=dict)
    limits: list[str] = field(default_factory=list)


def quote(text) -> str:
    """A verbatim ready to print: names, e-mails and phone numbers masked, length bounded."""
    from analysis.privacy import mask_pii

    masked = " ".join(mask_pii(str(text)).split())
    return masked if len(masked) <= QUOTE_LENGTH else masked[: QUOTE_LENGTH - 1].rstrip() + "…"


def word_cloud(texts_by_respondent: dict) -> list[dict]:
    """The words most respondents used (each by 11 at least), with a size class 1-5.

    Elisions are split (« c'est » is « c » and « est »), stop words and the little words
    that matter only inside a sentence (« plus », « pas », « trop ») left out, and the
    forms of one word counted together (« médecin », « medecin », « médecins »: shown in
    the form written most often)."""
    from analysis.coding._match import fold, stem
    from analysis.text import STOP_WORDS
    from analysis.text._lexicon import KEEP_WORDS

    left_out = {fold(w) for w in set(STOP_WORDS) | KEEP_WORDS}
    frequency: dict[str, int] = {}
    forms: dict[str, dict[str, int]] = {}
    for texts in texts_by_respondent.values():
        keys = set()
        for text in texts:
            for word in _WORD.findall(_ELISION.sub(" ", str(text))):
                word = word.lower()
                folded = fold(word)
                if folded in left_out:
                    continue
                key = stem(folded)
                keys.add(key)
                forms.setdefault(key, {})
                forms[key][word] = forms[key].get(word, 0) + 1
        for key in keys:
            frequency[key] = frequency.get(key, 0) + 1
    kept = sorted(((n, k) for k, n in frequency.items() if n >= MIN_CELL), reverse=True)[:CLOUD_WORDS]
    if not kept:
        return []
    top, low = kept[0][0], kept[-1][0]
    span = max(top - low, 1)
    shown = [(max(forms[k].items(), key=lambda item: (item[1], -len(item[0]), item[0]))[0], n) for n, k in kept]
    words = [{"word": w, "respondents": n, "size": 1 + round(4 * (n - low) / span)} for w, n in shown]
    return sorted(words, key=lambda item: item["word"])


def _best_axis(text: str) -> str | None:
    from analysis.axes import best_axis

    return best_axis([w.lower() for w in _WORD.findall(str(text))]).axis


def voices_part(session, campaign, sample) -> VoicesPart:
    """Themes of the residents' open answers from the codebook coding, with their evidence."""
    from analysis.priorities import theme_evidence

    from ..coding.codebook import codebook_row, parsed_codebook
    from ..coding.results import theme_shares
    from ..coding.services import coder_state

    try:
        shares = theme_shares(session, campaign)
        state = coder_state(session, campaign)
    except ServiceError as error:
        return VoicesPart(limits=[f"Pas de thèmes des réponses libres : {error}"])
    codebook = parsed_codebook(codebook_row(session, campaign).definition)
    axis_of = {t.key: t.axis for t in codebook.themes}
    with state.lock:
        codings = state.coder.codings()
        answers = state.answers.frame.copy()
        coded = state.coder.answers
        useful = set(coded.loc[coded["excluded"].isna(), "answer_id"]) if "excluded" in coded else None
    if useful is not None:
        answers = answers[answers["answer_id"].isin(useful)]
    text_of = dict(zip(answers["answer_id"], answers["text"]))
    district_of = dict(zip(answers["response_id"], answers["district"]))
    codings = codings[codings["answer_id"].isin(text_of)]
    raised = codings.groupby("theme")["response_id"].nunique()
    by_district_counts = codings.assign(district=codings["response_id"].map(district_of)) \
        .groupby(["theme", "district"])["response_id"].nunique()
    names = {d.code: d.name for d in campaign.districts}
    overall = shares.overall.assign(n_cell=shares.overall["theme"].map(raised).fillna(0).astype(int))
    by_district = shares.by_district.assign(n_cell=[
        int(by_district_counts.get((t, d), 0)) for t, d in zip(shares.by_district["theme"], shares.by_district["domain"])])
    main = codings[codings["rank"] == 1].sort_values("confidence", ascending=False)
    themes, quotes_of = [], {}
    for _, row in overall.iterrows():
        key = row["theme"]
        figure = share(row["estimate"], row["ci_low"], row["ci_high"], row["n"], row["n_cell"],
                       suppressed=bool(row.get("suppressed", False)))
        mine = main[main["theme"] == key]
        texts = []
        if figure.shown:
            for answer in mine["answer_id"]:
                text = quote(text_of[answer])
                if len(text) >= 15 and text not in texts:
                    texts.append(text)
                if len(texts) == QUOTES:
                    break
        quotes_of[key] = texts
        respondents: dict = {}
        for answer, response in zip(codings.loc[codings["theme"] == key, "answer_id"],
                                    codings.loc[codings["theme"] == key, "response_id"]):
            respondents.setdefault(response, []).append(text_of[answer])
        districts = [(names.get(str(r["domain"]), str(r["domain"])),
                      share(r["estimate"], r["ci_low"], r["ci_high"], r["n"], r["n_cell"],
                            suppressed=bool(r.get("suppressed", False))))
                     for _, r in by_district[by_district["theme"] == key].iterrows()]
        themes.append({"key": key, "label": str(row["label"]), "axis": axis_of.get(key), "share": figure,
                       "raised": count(int(row["n_cell"])), "quotes": texts, "districts": districts,
                       "cloud": word_cloud(respondents) if figure.shown else []})
    themes.sort(key=lambda t: -(t["share"].estimate or -1))
    evidence = theme_evidence(overall, axes=axis_of, by_district=by_district, verbatims=quotes_of)
    proposals: dict = {}
    main_axis = {a: axis_of.get(t) for a, t in zip(main["answer_id"], main["theme"])}
    for question in PROPOSAL_QUESTIONS["resident"]:
        part = answers[answers["question_id"] == question]
        for answer, text in zip(part["answer_id"], part["text"]):
            axis = main_axis.get(answer) or _best_axis(text)
            shown = proposals.setdefault(axis, [])
            text = quote(text)
            if axis and len(shown) < QUOTES and len(text) >= 15 and text not in shown:
                shown.append(text)
    limits = []
    if not themes:
        limits.append("Aucun thème n'a pu être tiré des réponses libres.")
    return VoicesPart(themes, evidence, proposals, limits, shares.weighting)


def professionals_part(session, campaign) -> ProfessionalsPart:
    """The professionals' answers: needs they see and capacity of care, unweighted counts."""
    from analysis.priorities import Figure, ProfessionalEvidence

    from ..findings import frame as exports
    from ..findings.indicators import indicator_columns

    try:
        table, definition = exports.tidy_responses(session, campaign, "professional")
    except ServiceError:
        return ProfessionalsPart(limits=["Pas de questionnaire des professionnels de santé dans cette campagne."])
    n = len(table)
    if n == 0:
        return ProfessionalsPart(limits=["Aucun professionnel de santé n'a répondu : la partie « D'après les "
                                         "professionnels » reste vide."])
    if n < MIN_CELL:
        return ProfessionalsPart(n=n, limits=["Moins de 11 professionnels de santé ont répondu : leurs réponses "
                                              "ne sont pas chiffrées ni citées."])
    indicators = {i.name: i for i in definition.indicators()}
    items, evidence = [], []
    for name, column, need in indicator_columns(table, definition):
        indicator = indicators[name]
        values = table[column]
        valid = values.notna()
        hits = int((values[valid].astype(str).isin([str(c) for c in need])).sum())
        total = int(valid.sum())
        figure = Figure.from_counts(hits, total)
        shown = share(figure.estimate, figure.ci_low, figure.ci_high, total, hits)
        question = definition.question(indicator.question_id)
        kind = "capacity" if question.section_id == "activite" else "need"
        label = indicator.label("fr")
        items.append({"name": name, "label": label, "axis": indicator.axis or question.axis, "share": shown,
                      "kind": kind})
        evidence.append(ProfessionalEvidence(f"pro_{name}", label, indicator.axis or question.axis, kind, figure))
    quotes: dict = {}
    for question in PROFESSIONAL_TEXTS:
        if question not in table.columns:
            continue
        for text in table[question].dropna():
            axis = _best_axis(text)
            shown = quotes.setdefault(axis, [])
            text = quote(text)
            if axis and len(shown) < QUOTES and len(text) >= 15 and text not in shown:
                shown.append(text)
    proposals: dict = {}
    for question in PROPOSAL_QUESTIONS["professional"]:
        if question not in table.columns:
            continue
        for text in table[question].dropna():
            axis = _best_axis(text)
            shown = proposals.setdefault(axis, [])
            text = quote(text)
            if axis and len(shown) < QUOTES and len(text) >= 15 and text not in shown:
                shown.append(text)
    return ProfessionalsPart(n, True, items, tuple(evidence), quotes, proposals)


__all__ = ["VoicesPart", "ProfessionalsPart", "voices_part", "professionals_part", "quote", "word_cloud"]
