"""The campaign's codebook: copied from the default file, edited, validated, audited.

Themes and seed terms are data (``analysis/coding/data/codebook.yaml``, documented in
``analysis/coding/data/CODEBOOK.md``); each campaign keeps its own copy in table
``codebook``, which the coordinator extends from the coding screen.
"""
from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping

import yaml
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from analysis.axes import AXIS_LABELS
from analysis.coding import DEFAULT_CODEBOOK_PATH, Codebook, codebook_from_dict, load_codebook, validate_codebook

from ..models import Campaign, User
from ..models import Codebook as CodebookRow
from ..domain import ServiceError
from .. import audit
from .cache import move_to_codebook

#: Upper bounds on what a coordinator types in the "new theme" form.
MAX_TERMS, MAX_TERM_LENGTH, MAX_LABEL_LENGTH = 40, 80, 120
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class CodebookInvalid(ServiceError):
    """A codebook refused; ``problems`` lists every problem, in French."""

    def __init__(self, problems: Iterable[str]):
        self.problems = list(problems)
        lines = "\n".join(f"- {p}" for p in self.problems)
        super().__init__(f"La grille de codage n'a pas été enregistrée ({len(self.problems)} "
                         f"problème(s)) :\n{lines}")


def codebook_hash(definition: Mapping) -> str:
    """Return a short fingerprint of a codebook definition (keys the coder cache)."""
    text = json.dumps(definition, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def codebook_row(session: Session, campaign: Campaign) -> CodebookRow:
    """Return the campaign's stored codebook, copied from the default file on first use."""
    row = session.scalar(select(CodebookRow).where(CodebookRow.campaign_id == campaign.id))
    if row is not None:
        return row
    row = CodebookRow(campaign_id=campaign.id, definition=load_codebook(DEFAULT_CODEBOOK_PATH).to_dict())
    try:
        with session.begin_nested():  # another worker may create it at the same moment
            session.add(row)
    except IntegrityError:
        row = session.scalar(select(CodebookRow).where(CodebookRow.campaign_id == campaign.id))
    return row


_PARSED: dict[str, Codebook] = {}


def parsed_codebook(definition: Mapping) -> Codebook:
    """Return the codebook of a stored definition (validated once per process)."""
    key = codebook_hash(definition)
    if key not in _PARSED:
        if len(_PARSED) > 64:
            _PARSED.clear()
        _PARSED[key] = codebook_from_dict(definition, source="grille de codage")
    return _PARSED[key]


def campaign_codebook(session: Session, campaign: Campaign) -> Codebook:
    """Return the campaign's codebook."""
    return parsed_codebook(codebook_row(session, campaign).definition)


def _parse(data) -> object:
    if not isinstance(data, str):
        return data
    try:
        return yaml.safe_load(data)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"ligne {mark.line + 1} : " if mark else ""
        raise CodebookInvalid([f"{where}YAML illisible ({getattr(error, 'problem', error)})"]) from None


def save_codebook(session: Session, campaign: Campaign, data, actor: User | None) -> Codebook:
    """Validate a codebook (a mapping or YAML text), store it for the campaign, audit it.

    Raises :class:`CodebookInvalid` listing every problem. Coders kept in memory move
    to the new codebook; the coordinator's codings of the themes kept stay.
    """
    data = _parse(data)
    problems = validate_codebook(data, source="grille")
    if problems:
        raise CodebookInvalid(problems)
    codebook = codebook_from_dict(data)
    row = codebook_row(session, campaign)
    old = dict(row.definition)
    new = codebook.to_dict()
    if new == old:
        return codebook
    row.definition = new
    row.updated_by_id = actor.id if actor is not None else None
    session.flush()
    old_keys, new_keys = [t["key"] for t in old.get("themes", [])], codebook.keys
    audit.record(session, actor, "codebook.update", "campaign", campaign.id,
                 old={"hash": codebook_hash(old), "themes": old_keys},
                 new={"hash": codebook_hash(new), "themes": new_keys,
                      "added": [k for k in new_keys if k not in old_keys],
                      "removed": [k for k in old_keys if k not in new_keys]})
    move_to_codebook(campaign.id, codebook_hash(old), codebook_hash(new), codebook)
    return codebook


def codebook_yaml(session: Session, campaign: Campaign) -> str:
    """Return the campaign's codebook as the text of a YAML file."""
    return yaml.safe_dump(campaign_codebook(session, campaign).to_dict(), allow_unicode=True,
                          sort_keys=False, width=100)


def add_theme(session: Session, campaign: Campaign, actor: User | None, *, key: str, label: str,
              axis: str, terms: Iterable[str] | str, description: str = "") -> Codebook:
    """Add a theme (key, French label, axis, seed terms) to the campaign's codebook."""
    codebook = campaign_codebook(session, campaign)
    if isinstance(terms, str):
        terms = terms.replace(";", ",").replace("\n", ",").split(",")
    terms = list(dict.fromkeys(t.strip() for t in terms if t and t.strip()))
    key, label, axis = (key or "").strip(), (label or "").strip(), (axis or "").strip()
    problems = []
    if not KEY_RE.match(key):
        problems.append(f"clé « {key[:40]} » invalide : minuscules sans accent, chiffres et _, "
                        "commençant par une lettre (ex. : pharmacie_penurie)")
    if not label:
        problems.append("indiquez le libellé du thème en français")
    axes = codebook.axes or AXIS_LABELS
    if axis not in axes:
        problems.append(f"axe inconnu « {str(axis)[:40]} » ; axes possibles : {', '.join(sorted(axes))}")
    if not terms:
        problems.append("indiquez au moins un terme-graine (mots séparés par des virgules)")
    if key in codebook.keys:
        problems.append(f"la clé « {key} » est déjà celle du thème « {codebook.theme(key).label_fr} »")
    if len(label) > MAX_LABEL_LENGTH:
        problems.append(f"libellé trop long ({len(label)} caractères, {MAX_LABEL_LENGTH} au plus)")
    if len(terms) > MAX_TERMS:
        problems.append(f"trop de termes ({len(terms)}, {MAX_TERMS} au plus)")
    problems += [f"terme trop long : « {t[:30]}… »" for t in terms if len(t) > MAX_TERM_LENGTH]
    if problems:
        raise CodebookInvalid(problems)
    data = codebook.to_dict()
    data["themes"].append({"key": key, "label": {"fr": label}, "axis": axis,
                           "description": (description or "").strip() or label, "terms": terms})
    problems = validate_codebook(data, source="nouveau thème")
    if problems:
        raise CodebookInvalid(problems)
    return save_codebook(session, campaign, data, actor)


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", str(text).strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def reject_term(session: Session, campaign: Campaign, actor: User | None, *, theme: str,
                term: str) -> Codebook:
    """Record that `term` is wrong for `theme` ("ce terme ne convient pas pour ce thème").

    A seed term of the theme (or a term naming its population) is removed from it,
    and the word becomes an exclusion of the theme (so that it no longer counts for it
    through its closeness to the other terms either); any other word (a word near the
    theme's terms in the vector space, or learned from codings) becomes an exclusion.
    The campaign's codebook is saved (audited) and its coders recode every answer.
    """
    codebook = campaign_codebook(session, campaign)
    term = (term or "").strip()
    if theme not in codebook.keys:
        raise CodebookInvalid([f"thème inconnu « {str(theme)[:40]} »"])
    if not term or len(term) > MAX_TERM_LENGTH:
        raise CodebookInvalid(["indiquez le terme qui ne convient pas (80 caractères au plus)"])
    current = codebook.theme(theme)
    seeds = {_folded(t.text): t.text for t in (*current.terms, *current.population_terms)}
    if _folded(term) in seeds:
        edited = codebook.with_terms(theme, remove=[seeds[_folded(term)]]) \
            .with_terms(theme, exclusions=[term])
    elif _folded(term) in {_folded(e) for e in current.exclusions}:
        return codebook
    else:
        edited = codebook.with_terms(theme, exclusions=[term])
    saved = save_codebook(session, campaign, edited.to_dict(), actor)
    audit.record(session, actor, "codebook.reject_term", "campaign", campaign.id,
                 new={"theme": theme, "term": term,
                      "as": "removed" if _folded(term) in seeds else "exclusion"})
    return saved
