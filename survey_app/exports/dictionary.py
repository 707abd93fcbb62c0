"""The variables of an export, read from the questionnaire: names, labels, codes.

One row per response; the columns are, in order:

- ``response_id``, ``questionnaire`` (key and version), ``district`` (the answer to the
  questionnaire's district question, coded with the campaign's districts), ``channel``,
  ``status``, ``day`` (day of submission, else of creation), ``language``, and ``poids``
  when the campaign has weights;
- then the questions in questionnaire order: one column per question, except multiple
  choices (one 0/1 column per option, ``question.code``), rankings (``question.rang1``…,
  option codes), matrices (``question.row``) and the text of an "Autre, précisez"
  option (``question.autre_texte``).

Every variable whose values are option codes is *labelled*: it carries its codes and
their labels, and an integer code for each (the option's own code when every code of the
question is a whole number, else its position, 1 to n), which SPSS and Stata files hold.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from ..models import Campaign, Channel, ResponseStatus
from ..questionnaire.model import NSP_CODE, OTHER_SUFFIX, Definition, Question, district_options

#: What the paper-entry agent marked instead of an answer, and the codes they get.
MARKERS = {"blank": "non renseigné", "illegible": "illisible"}
#: User-missing integer codes in SPSS (numeric variables), letters in Stata.
SAV_MISSING = {"blank": -1, "illegible": -2}
DTA_MISSING = {"blank": "a", "illegible": "b"}

CHANNEL_LABELS = {Channel.WEB.value: "internet", Channel.PAPER.value: "papier", Channel.IMPORT.value: "import"}
STATUS_LABELS = {
    ResponseStatus.DRAFT.value: "brouillon",
    ResponseStatus.COMPLETE.value: "complète",
    ResponseStatus.VALIDATED.value: "validée",
    ResponseStatus.EXCLUDED.value: "exclue",
}
TYPE_LABELS = {
    "single": "choix unique", "multiple": "choix multiple (0/1 par option)", "scale": "échelle",
    "matrix": "grille (un choix par ligne)", "integer": "nombre entier", "decimal": "nombre décimal",
    "year": "année", "date": "date (AAAA-MM-JJ)", "text": "texte court", "longtext": "texte long",
    "district": "quartier", "yesno": "oui / non", "ranking": "classement (codes par rang)",
    "meta": "information sur la réponse", "weight": "poids de calage", "binary": "0 = non, 1 = oui",
}
#: What "validated" means in the exports (the statuses the analysis reads, findings/frame.py).
VALIDATED_MEANING = (
    "Réponses retenues : complètes ou validées, jamais les brouillons ni les réponses exclues. "
    "Une réponse par internet est complète quand le résident l'a envoyée (elle a passé tous les "
    "contrôles du questionnaire) ; une réponse papier l'est quand sa saisie est terminée, et validée "
    "après la double saisie. Ce sont les réponses que lisent les analyses."
)
#: Text of the variables that is not the questionnaire's.
MARKABLE_NOTE = "vide = question non posée ou sans réponse ; « non renseigné », « illisible » : saisie papier"

#: The words above as the pages show them, in the reader's language. The files (CSV, XLSX,
#: SPSS, Stata and their dictionary) keep the French: only the pages ask for these.
PAGE_WORDS = {
    VALIDATED_MEANING: _l(
        "Réponses retenues : complètes ou validées, jamais les brouillons ni les réponses exclues. "
        "Une réponse par internet est complète quand le résident l'a envoyée (elle a passé tous les "
        "contrôles du questionnaire) ; une réponse papier l'est quand sa saisie est terminée, et validée "
        "après la double saisie. Ce sont les réponses que lisent les analyses."),
    MARKABLE_NOTE: _l("vide = question non posée ou sans réponse ; « non renseigné », « illisible » : saisie papier"),
    # types
    "choix unique": _l("choix unique"), "choix multiple (0/1 par option)": _l("choix multiple (0/1 par option)"),
    "échelle": _l("échelle"), "grille (un choix par ligne)": _l("grille (un choix par ligne)"),
    "nombre entier": _l("nombre entier"), "nombre décimal": _l("nombre décimal"), "année": _l("année"),
    "date (AAAA-MM-JJ)": _l("date (AAAA-MM-JJ)"), "texte court": _l("texte court"), "texte long": _l("texte long"),
    "quartier": _l("quartier"), "oui / non": _l("oui / non"), "classement (codes par rang)": _l("classement (codes par rang)"),
    "information sur la réponse": _l("information sur la réponse"), "poids de calage": _l("poids de calage"),
    "0 = non, 1 = oui": _l("0 = non, 1 = oui"), "identifiant": _l("identifiant"), "texte": _l("texte"), "date": _l("date"),
    # the response's own columns
    "Numéro de la réponse": _l("Numéro de la réponse"), "Questionnaire et version": _l("Questionnaire et version"),
    "Canal de la réponse": _l("Canal de la réponse"), "Statut de la réponse": _l("Statut de la réponse"),
    "Jour d'envoi (à défaut, de création) de la réponse": _l("Jour d'envoi (à défaut, de création) de la réponse"),
    "Langue de la réponse": _l("Langue de la réponse"),
    "Poids de calage sur les marges du recensement": _l("Poids de calage sur les marges du recensement"),
    # their codes' labels
    "internet": _l("internet"), "papier": _l("papier"), "import": _l("import"),
    "brouillon": _l("brouillon"), "complète": _l("complète"), "validée": _l("validée"), "exclue": _l("exclue"),
    "non": _l("non"), "oui": _l("oui"), "Non": _l("Non"), "Oui": _l("Oui"),
    # how a label is made of the question's and its option's, row's or rank
    "%(label)s : %(part)s": _l("%(label)s : %(part)s"), "%(label)s (rang %(rank)s)": _l("%(label)s (rang %(rank)s)"),
    "%(label)s (précisez)": _l("%(label)s (précisez)"),
    "%(codes)s (%(note)s)": _l("%(codes)s (%(note)s)"),
}


def words(lang: str = "fr"):
    """``words(text, **values)``: the French ``text`` (one of :data:`PAGE_WORDS`' keys) filled
    with ``values``, in French for ``lang="fr"`` (the files), else as the page's reader reads it."""
    french = (lang or "fr").split("_")[0] == "fr"

    def word(text: str, **values) -> str:
        shown = text if french else str(PAGE_WORDS.get(text, text))
        return shown % values if values else shown

    return word


@dataclass
class Variable:
    """One column of the export."""

    name: str
    label: str
    kind: str  # "labelled", "binary", "number", "text", "date", "id"
    type_label: str
    question_id: str | None = None
    #: code -> label, in the questionnaire's order (labelled variables).
    value_labels: dict[str, str] = field(default_factory=dict)
    #: code -> integer code (SPSS, Stata).
    int_codes: dict[str, int] = field(default_factory=dict)
    #: the column of the tidy frame (findings/frame.py) it comes from.
    source: str | None = None
    #: may hold "non renseigné" / "illisible" (questions keyed on paper).
    markable: bool = False

    def codes_text(self, lang: str = "fr") -> str:
        """Codes and labels as one line: ``1 = oui ; 2 = non`` (the labels in ``lang`` for a page)."""
        if self.kind == "binary":
            word = words(lang)
            return f"0 = {word('non')} ; 1 = {word('oui')}"
        return " ; ".join(f"{code} = {label}" for code, label in self.value_labels.items())


def integer_codes(codes: list[str]) -> dict[str, int]:
    """The integer held for each code: the code itself when all are whole numbers, else 1..n."""
    try:
        numbers = [int(code) for code in codes]
    except (TypeError, ValueError):
        numbers = []
    if numbers and len(set(numbers)) == len(numbers) and all(str(n) == c for n, c in zip(numbers, codes)):
        return dict(zip(codes, numbers))
    return {code: position for position, code in enumerate(codes, start=1)}


def _labelled(name: str, label: str, type_label: str, labels: dict[str, str], *, question_id=None, source=None,
              markable=False) -> Variable:
    return Variable(name, label, "labelled", type_label, question_id, dict(labels), integer_codes(list(labels)),
                    source=source or name, markable=markable)


def district_question(definition: Definition) -> Question | None:
    return definition.question_for_role("district")


def district_labels(campaign: Campaign, lang: str = "fr") -> dict[str, str]:
    """The district codes of the campaign and their names, plus « je ne sais pas »."""
    options = district_options([{"code": d.code, "name": d.name} for d in campaign.districts])
    return {option.code: option.label(lang) for option in options}


def _shown_labels(labels: dict[str, str], lang: str) -> dict[str, str]:
    word = words(lang)
    return {code: word(label) for code, label in labels.items()}


def meta_variables(campaign: Campaign, definition: Definition, *, weighted: bool, lang: str = "fr") -> list[Variable]:
    """The response's own columns; ``lang`` other than French is for a page only (the files are French)."""
    word = words(lang)
    district_q = district_question(definition)
    found = [
        Variable("response_id", word("Numéro de la réponse"), "id", word("identifiant"), source="response_id"),
        Variable("questionnaire", word("Questionnaire et version"), "text", word("texte"), source="questionnaire"),
    ]
    if district_q is not None:
        found.append(_labelled("district", district_q.label(lang), word(TYPE_LABELS["district"]),
                               district_labels(campaign, lang), question_id=district_q.id, source=district_q.id,
                               markable=True))
    found += [
        _labelled("channel", word("Canal de la réponse"), word(TYPE_LABELS["meta"]), _shown_labels(CHANNEL_LABELS, lang)),
        _labelled("status", word("Statut de la réponse"), word(TYPE_LABELS["meta"]), _shown_labels(STATUS_LABELS, lang)),
        Variable("day", word("Jour d'envoi (à défaut, de création) de la réponse"), "date", word("date"), source="day"),
        Variable("language", word("Langue de la réponse"), "text", word("texte"), source="language"),
    ]
    if weighted:
        found.append(Variable("poids", word("Poids de calage sur les marges du recensement"), "number",
                              word(TYPE_LABELS["weight"]), source="poids"))
    return found


def question_variables(question: Question, campaign: Campaign, lang: str = "fr") -> list[Variable]:
    """The export columns of one question; ``lang`` other than French is for a page only: the
    questionnaire's own wording in that language and the application's words translated."""
    word = words(lang)
    kind, qid, label = question.type, question.id, question.label(lang)
    type_label = word(TYPE_LABELS.get(kind, kind))
    options = {o.code: o.label(lang) for o in question.options}
    found: list[Variable] = []
    if kind == "note":
        return []
    if kind == "multiple":
        for option in question.options:
            found.append(Variable(f"{qid}.{option.code}", word("%(label)s : %(part)s", label=label, part=option.label(lang)),
                                  "binary", word(TYPE_LABELS["binary"]), qid, {"0": word("non"), "1": word("oui")},
                                  {"0": 0, "1": 1}, source=f"{qid}__{option.code}", markable=True))
    elif kind == "ranking":
        for rank in range(1, (question.rank_count or len(question.codes)) + 1):
            found.append(_labelled(f"{qid}.rang{rank}", word("%(label)s (rang %(rank)s)", label=label, rank=rank),
                                   type_label, options, question_id=qid, source=f"{qid}__rang{rank}", markable=True))
    elif kind == "matrix":
        for row in question.rows:
            found.append(_labelled(f"{qid}.{row.id}", word("%(label)s : %(part)s", label=label, part=row.label(lang)),
                                   type_label, options, question_id=qid, source=f"{qid}__{row.id}", markable=True))
    elif kind in ("single", "yesno"):
        if kind == "yesno" and not options:
            options = {"oui": word("Oui"), "non": word("Non")}
        found.append(_labelled(qid, label, type_label, options, question_id=qid, markable=True))
    elif kind == "district":
        found.append(_labelled(qid, label, type_label, district_labels(campaign, lang), question_id=qid, markable=True))
    elif kind in ("integer", "decimal", "year", "scale"):
        found.append(Variable(qid, label, "number", type_label, qid, source=qid, markable=True))
    elif kind == "date":
        found.append(Variable(qid, label, "date", type_label, qid, source=qid, markable=True))
    else:
        found.append(Variable(qid, label, "text", type_label, qid, source=qid, markable=True))
    if question.other_option is not None:
        other = word("%(label)s : %(part)s", label=label, part=question.other_option.label(lang))
        found.append(Variable(f"{qid}.autre_texte", word("%(label)s (précisez)", label=other), "text",
                              word(TYPE_LABELS["text"]), qid, source=qid + OTHER_SUFFIX))
    return found


def export_variables(campaign: Campaign, definition: Definition, *, weighted: bool, lang: str = "fr") -> list[Variable]:
    """Every column of the export of ``definition``'s responses, in order.

    The files use the French (the default); the dictionary page passes its language.
    """
    district_q = district_question(definition)
    found = meta_variables(campaign, definition, weighted=weighted, lang=lang)
    for question in definition.questions.values():
        if district_q is not None and question.id == district_q.id:
            continue
        found += question_variables(question, campaign, lang)
    return found


DICTIONARY_COLUMNS = ["variable", "question", "libellé", "type", "codes"]


def dictionary_rows(variables: list[Variable], lang: str = "fr") -> list[dict]:
    """One row per variable: its name, its question, label, type, codes and their labels
    (the application's words in ``lang``: French for the files)."""
    word = words(lang)
    rows = []
    for v in variables:
        codes = v.codes_text(lang)
        if v.markable:
            extra = word(MARKABLE_NOTE)
            codes = word("%(codes)s (%(note)s)", codes=codes, note=extra) if codes else extra
        rows.append({"variable": v.name, "question": v.question_id or "", "libellé": v.label,
                     "type": v.type_label, "codes": codes})
    return rows


def dictionary_csv(variables: list[Variable], *, delimiter: str = ";") -> bytes:
    """The data dictionary as CSV (UTF-8 with BOM), cells made inert for spreadsheets."""
    from ..infra.spreadsheet import safe_cell

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(DICTIONARY_COLUMNS)
    for row in dictionary_rows(variables):
        writer.writerow([safe_cell(row[c]) for c in DICTIONARY_COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


__all__ = ["Variable", "MARKERS", "VALIDATED_MEANING", "PAGE_WORDS", "words", "export_variables", "dictionary_rows", "dictionary_csv",
           "integer_codes", "NSP_CODE"]
