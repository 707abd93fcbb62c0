"""Cross-tables: the weighted shares of one closed question within each answer of
another, with the Rao–Scott test, after the publication rules.

This module imports pandas and ``analysis``: import it inside the views that use it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ..domain import ServiceError
from ..jobs.i18n import _
from ..models import Campaign
from . import indicators as indicator_service
from .table_common import clean_value, in_language, iso_time, protect_group_sizes, publication_rule, weighted_sample

#: Question types a cross-table accepts (their answers are a few fixed categories).
CLOSED_TYPES = frozenset({"single", "yesno", "district", "scale"})
FREE_TEXT_TYPES = frozenset({"text", "longtext"})
QPV_VARIABLE = "qpv"
ROW_SHARES, COLUMN_SHARES = "row", "column"
QPV_LABEL = _l("Quartier prioritaire (QPV) ou non")
QPV_CATEGORIES = {"QPV": _l("QPV"), "hors QPV": _l("hors QPV")}


@dataclass
class Variable:
    id: str
    label: str
    #: The tidy column and how codes become labels.
    column: str
    categories: dict[str, str]


def closed_variables(campaign: Campaign, definition, lang: str = "fr") -> dict[str, Variable]:
    """The variables a cross-table can use: closed questions, matrix rows, QPV, named in ``lang``."""
    found: dict[str, Variable] = {}
    for question in definition.questions.values():
        if question.type in CLOSED_TYPES:
            options = question.options_for([{"code": d.code, "name": d.name} for d in campaign.districts])
            categories = {o.code: o.label(lang) for o in options}
            if question.type == "scale" and not categories:
                low, high = int(question.min or 0), int(question.max or 10)
                categories = {str(v): str(v) for v in range(low, high + 1)}
            found[question.id] = Variable(question.id, question.label(lang), question.id, categories)
            if question.type == "district":
                found[QPV_VARIABLE] = Variable(QPV_VARIABLE, in_language(QPV_LABEL, lang), QPV_VARIABLE,
                                               {code: in_language(label, lang) for code, label in QPV_CATEGORIES.items()})
        elif question.type == "matrix":
            categories = {o.code: o.label(lang) for o in question.options}
            for row in question.rows:
                column = f"{question.id}__{row.id}"
                found[column] = Variable(column, f"{question.label(lang)} — {row.label(lang)}", column, categories)
    return found


def check_cross_table(campaign: Campaign, definition, row: str | None, column: str | None,
                      lang: str = "fr") -> tuple[Variable, Variable]:
    """Return the two variables, or refuse with a French message saying what to choose."""
    variables = closed_variables(campaign, definition, lang)
    chosen = []
    for value, empty in ((row, _("Choisissez la question à mettre en lignes.")),
                         (column, _("Choisissez la question à mettre en colonnes."))):
        value = (value or "").strip()
        if not value:
            raise ServiceError(empty)
        if value in variables:
            chosen.append(variables[value])
            continue
        question = definition.questions.get(value)
        if question is None:
            raise ServiceError(_("« %(value)s » n'est pas une question de ce questionnaire.", value=value[:80]))
        label = question.label(lang)
        if question.type in FREE_TEXT_TYPES:
            raise ServiceError(
                _("« %(label)s » est une question à réponse libre : un tableau croisé ne croise que des questions "
                  "fermées (choix, oui/non, échelle, quartier). Les réponses libres se lisent dans le codage des "
                  "thèmes.", label=label)
            )
        if question.type == "multiple":
            raise ServiceError(
                _("« %(label)s » est une question à choix multiples : ses réponses ne forment pas une seule "
                  "catégorie par habitant. Choisissez une question à choix unique.", label=label)
            )
        raise ServiceError(
            _("« %(label)s » n'est pas une question fermée (nombre, date ou note) : choisissez une question à "
              "choix, oui/non, échelle ou quartier.", label=label)
        )
    if chosen[0].id == chosen[1].id:
        raise ServiceError(_("Choisissez deux questions différentes : une question croisée avec elle-même ne dit rien."))
    return chosen[0], chosen[1]


def _codes(series: pd.Series) -> pd.Series:
    """Answers as code strings (3.0 -> "3"), missing stays missing."""
    def code(value):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)

    return series.map(code).astype(object)


def cross_table(session: Session, campaign: Campaign, row: str | None, column: str | None, *,
                key: str = "resident", shares: str = ROW_SHARES, statistic: str = "F", lang: str = "fr") -> dict:
    """Weighted shares of one closed question within each answer of another, and the test.

    ``shares="row"``: each row (an answer to ``row``) adds up to 100 %; ``"column"``:
    each column does. ``statistic``: ``"F"`` Rao–Scott second-order (default), ``"Chisq"``
    first-order. Small cells are blanked by the publication rules. Questions and answers
    are named in ``lang`` (a page's language; French for a download).
    """
    from analysis.crosstab import crosstab

    from ..campaigns import questionnaires as questionnaire_service

    if shares not in (ROW_SHARES, COLUMN_SHARES):
        raise ServiceError(_("Choisissez des parts en ligne ou en colonne."))
    if statistic not in ("F", "Chisq"):
        raise ServiceError(_("Choisissez le test du second ordre (F) ou du premier ordre (khi-deux)."))
    version = questionnaire_service.current_version(session, campaign, key)
    if version is None:
        raise ServiceError(_("Le questionnaire « %(key)s » n'est pas chargé dans cette campagne.", key=key))
    definition = questionnaire_service.definition_of(version)
    row_var, col_var = check_cross_table(campaign, definition, row, column, lang)
    sample, run = weighted_sample(session, campaign, key)
    table = sample.table
    indicator_service.add_profiles(table, sample.definition, campaign)
    frame = table.copy()
    for variable, alias in ((row_var, "__ligne"), (col_var, "__colonne")):
        if variable.column not in frame.columns:
            raise ServiceError(_("Personne n'a répondu à « %(label)s ».", label=variable.label))
        frame[alias] = _codes(frame[variable.column])
    # the shares are of ``question`` within each group of ``profile``
    question, profile = ("__colonne", "__ligne") if shares == ROW_SHARES else ("__ligne", "__colonne")
    answered = frame[question].notna() & frame[profile].notna()
    for alias, variable in ((question, col_var if question == "__colonne" else row_var),
                            (profile, row_var if profile == "__ligne" else col_var)):
        if frame.loc[answered, alias].nunique() < 2:
            raise ServiceError(
                _("« %(label)s » n'a qu'une seule réponse parmi les habitants qui ont répondu aux deux "
                  "questions : il n'y a rien à croiser.", label=variable.label)
            )
    try:
        result = crosstab(frame, sample.design, question, profile, statistic=statistic)
    except ValueError:
        raise ServiceError(_("Ces deux questions ne peuvent pas être croisées : trop peu de réponses communes.")) from None
    cells = {}
    for record in result.table.to_dict("records"):
        code_q, code_p = str(record["category"]), str(record[profile])
        r, c = (code_p, code_q) if shares == ROW_SHARES else (code_q, code_p)
        cell = {name: clean_value(record.get(name)) for name in
                ("estimate", "se", "ci_low", "ci_high", "n", "n_cell", "suppressed", "fragile")}
        if cell["suppressed"]:
            cell.update(estimate=None, se=None, ci_low=None, ci_high=None, n_cell=None)
        cells[(r, c)] = cell

    def ordered(variable, alias):
        present = set(frame.loc[answered, alias])
        codes = [c for c in variable.categories if c in present]
        return codes + sorted(present - set(codes))

    row_codes, col_codes = ordered(row_var, "__ligne"), ordered(col_var, "__colonne")
    groups = {}
    for (r, c), cell in cells.items():
        groups.setdefault(r if shares == ROW_SHARES else c, []).append(cell)
    for group in protect_group_sizes({g: members[0]["n"] for g, members in groups.items()}):
        for cell in groups[group]:
            cell["n"] = None
    test = result.test
    return {
        "row": {"id": row_var.id, "label": row_var.label},
        "column": {"id": col_var.id, "label": col_var.label},
        "shares": shares,
        "statistic": statistic,
        "rows": [{"code": c, "label": row_var.categories.get(c, c)} for c in row_codes],
        "columns": [{"code": c, "label": col_var.categories.get(c, c)} for c in col_codes],
        "cells": [[cells.get((r, c)) for c in col_codes] for r in row_codes],
        "test": {
            "statistic": clean_value(test.statistic), "p_value": clean_value(test.p_value), "ndf": clean_value(test.ndf),
            "ddf": clean_value(test.ddf), "method": test.method, "adjusted": clean_value(getattr(test, "adjusted", None)),
        },
        "respondents": int(answered.sum()),
        "rule": publication_rule(),
        "weighting": {"run_id": run.id, "created_at": iso_time(run.created_at)} if run is not None else None,
    }
