"""Import a KoboToolbox or ODK Central data export (CSV or XLSX) as responses.

Columns are matched to the questions of one of the campaign's questionnaires
(:class:`.kobo_columns.Columns`): by name (``group/question`` or ``question``, with a
configurable group separator) or by label (Kobo's "labels" export), ``select_multiple``
answers from a space-separated column and/or split 0/1 columns (``question/option`` or
``question.option``). Kobo's and ODK's meta columns (``_id``, ``_uuid``,
``_submission_time``…) are recognised and kept out of the answers; repeat groups (other
sheets, linked by ``_parent_index``) are listed as not imported. Every answer goes
through the questionnaire's own rules.

A response keeps no IP address, no user agent, and only the day of submission. To
import a file twice without duplicates, each response stores ``kobo:`` and a hash of
the export's row id (``_uuid``, ``instanceID`` or ``KEY``) in ``paper_serial``, which
is unique within a campaign: the id itself is not kept.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..campaigns import questionnaires as versions
from ..domain import ServiceError
from ..models import Answer, Campaign, Channel, Response, ResponseStatus, User
from ..questionnaire import (AnswerError, Definition, coerce_answer, coerce_other_text,
                             constraint_failures, prune_hidden)
from ..questionnaire.model import OTHER_SUFFIX
from .kobo_columns import Columns

__all__ = ["ImportReport", "import_responses", "read_export", "SERIAL_PREFIX"]

SERIAL_PREFIX = "kobo:"
_ID_COLUMNS = ("_uuid", "meta/instanceid", "instanceid", "key", "_id")
_DAY_COLUMNS = ("_submission_time", "submissiondate", "end", "today", "start")
_TRUE = {"1", "1.0", "true", "yes", "oui", "vrai"}
_FALSE = {"0", "0.0", "false", "no", "non", "faux", ""}


@dataclass
class ImportReport:
    """What an import did (or would do, in a dry run)."""

    source: str
    questionnaire: str = ""
    dry_run: bool = False
    rows: int = 0
    imported: int = 0
    already: int = 0  #: rows imported before (same source id)
    skipped: list[tuple[int, str]] = field(default_factory=list)  #: (row, why)
    mapped: dict[str, str] = field(default_factory=dict)  #: column -> question (or q/option)
    meta_columns: list[str] = field(default_factory=list)
    ignored: list[tuple[str, str]] = field(default_factory=list)  #: (column, why)
    repeats: list[tuple[str, int]] = field(default_factory=list)  #: (sheet, rows)
    pruned: int = 0  #: answers to questions hidden by their condition, not kept

    def lines(self) -> list[str]:
        verb = "seraient importées" if self.dry_run else "importées"
        out = [f"{self.source} : questionnaire « {self.questionnaire} », {self.rows} ligne(s) lue(s)",
               f"  {self.imported} réponse(s) {verb}",
               f"  {self.already} déjà importée(s) auparavant (même identifiant de soumission)",
               f"  {len(self.skipped)} ligne(s) refusée(s)"]
        out += [f"    ligne {row} : {why}" for row, why in self.skipped]
        out.append(f"  {len(self.mapped)} colonne(s) reprise(s), {len(self.meta_columns)} "
                   "colonne(s) de métadonnées écartée(s)")
        if self.ignored:
            out.append(f"  {len(self.ignored)} colonne(s) non reprise(s) :")
            out += [f"    « {column} » : {why}" for column, why in self.ignored]
        for sheet, count in self.repeats:
            out.append(f"  feuille « {sheet} » (groupe répété, {count} ligne(s)) : non importée")
        if self.pruned:
            out.append(f"  {self.pruned} réponse(s) à des questions non affichées (condition "
                       "fausse) écartée(s)")
        return out


# ------------------------------------------------------------------ reading
def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def read_export(path: str | Path) -> tuple[list[str], list[list[str]], list[tuple[str, int]]]:
    """Headers and rows of the main sheet, and (name, rows) of the repeat sheets."""
    path = Path(path)
    head = path.read_bytes()[:4]
    if head.startswith(b"PK\x03\x04"):
        import openpyxl

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                tables = [(ws.title, [[_text(v) for v in row] for row in ws.iter_rows(values_only=True)])
                          for ws in book.worksheets]
            finally:
                book.close()
        tables = [(name, [r for r in rows if any(r)]) for name, rows in tables]
        main = next(((n, rows) for n, rows in tables if rows and "_parent_index" not in rows[0]),
                    tables[0] if tables else ("", []))
        repeats = [(n, max(len(rows) - 1, 0)) for n, rows in tables
                   if n != main[0] and rows]
        rows = main[1]
    else:
        from ..questionnaire.xlsform.reader import read_rows

        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise ServiceError("Le fichier n'est ni un CSV en UTF-8 ni un classeur XLSX.") from None
        rows = [r for r in read_rows(text) if any(c.strip() for c in r)]
        repeats = []
    if not rows:
        raise ServiceError("Le fichier ne contient aucune ligne.")
    headers = [h.strip() for h in rows[0]]
    body = [[c.strip() if isinstance(c, str) else _text(c) for c in r] for r in rows[1:]]
    return headers, body, repeats



def _choose_definition(session: Session, campaign: Campaign, headers: list[str],
                       separator: str, key: str | None):
    current = versions.current_versions(session, campaign)
    if key is not None:
        current = [v for v in current if v.key == key]
        if not current:
            raise ServiceError(f"La campagne n'a pas de questionnaire « {key} ».")
    if not current:
        raise ServiceError("La campagne n'a encore aucun questionnaire chargé.")
    best = None
    for version in current:
        definition = versions.definition_of(version)
        columns = Columns(definition, headers, separator)
        if best is None or len(columns.targets) > len(best[2].targets):
            best = (version, definition, columns)
    if not best[2].targets:
        raise ServiceError("Aucune colonne du fichier ne correspond à une question du "
                           "questionnaire : vérifiez le séparateur de groupes "
                           f"(« {separator} ») et le questionnaire choisi.")
    return best


# ------------------------------------------------------------------ rows
def _day(cells: dict[str, str]) -> dt.date | None:
    for name in _DAY_COLUMNS:
        value = cells.get(name, "")
        match = re.match(r"(\d{4})-(\d{2})-(\d{2})", value)
        if match:
            try:
                return dt.date(*map(int, match.groups()))
            except ValueError:
                continue
    return None


def _refused_upstream(cells: dict[str, str]) -> str | None:
    """Why a submission was refused in KoboToolbox or ODK Central, if it was."""
    status = cells.get("_validation_status", "").lower()
    if status in ("validation_status_not_approved", "not approved", "not_approved"):
        return "soumission refusée dans KoboToolbox (statut de validation « non approuvé »)"
    if cells.get("reviewstate", "").lower() == "rejected":
        return "soumission rejetée dans ODK Central (ReviewState « rejected »)"
    return None


def _serial(cells: dict[str, str], values: list[str]) -> str:
    for name in _ID_COLUMNS:
        value = cells.get(name, "").removeprefix("uuid:")
        if value:
            source = f"{name.split('/')[-1]}:{value}"
            break
    else:  # no id column: the row's content is its identity
        source = "row:" + "\x1f".join(values)
    return SERIAL_PREFIX + hashlib.sha256(source.encode("utf-8")).hexdigest()[:35]


def _rewritten(value):
    """A choice value as :mod:`..questionnaire.xlsform` rewrites codes it cannot keep."""
    def one(text):
        return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_")[:32] if isinstance(text, str) \
            else text
    return [one(v) for v in value] if isinstance(value, list) else one(value)


def _answers(definition: Definition, columns: Columns, values: list[str], districts
             ) -> tuple[dict, list[str]]:
    raw: dict[str, Any] = {}
    split: dict[str, list[str]] = {}
    rows: dict[str, dict] = {}
    others: dict[str, str] = {}
    problems = []
    for index, target in columns.targets.items():
        value = values[index] if index < len(values) else ""
        if target[0] == "q":
            if value:
                raw[target[1]] = value
        elif target[0] == "row":
            if value:
                rows.setdefault(target[1], {})[target[2]] = value
        elif target[0] == "other":
            if value:
                others[target[1]] = value
        elif target[0] == "split":
            flag = value.strip().lower()
            split.setdefault(target[1], [])
            if flag in _TRUE:
                split[target[1]].append(target[2])
            elif flag not in _FALSE:
                problems.append(f"« {value} » au lieu de 0 ou 1 dans la colonne de l'option "
                                f"« {target[2]} » de « {target[1]} »")
    for qid, codes in split.items():
        # the split columns say the same as the space-separated one, without its ambiguity
        # (labels with spaces in a "labels" export)
        raw.pop(qid, None)
        if codes:
            raw[qid] = codes
    raw.update(rows)
    typed: dict[str, Any] = {}
    for qid, value in raw.items():
        question = definition.questions[qid]
        if question.type in ("multiple", "ranking") and isinstance(value, str):
            value = value.split()
        try:
            coerced = coerce_answer(question, value, districts=districts)
        except AnswerError as error:
            try:  # codes an XLSForm import rewrote ("0.5" became "0_5")
                coerced = coerce_answer(question, _rewritten(value), districts=districts)
            except AnswerError:
                problems.append(f"« {qid} » : {error.message('fr')}")
                continue
        if coerced is not None:
            typed[qid] = coerced
    for qid, text in others.items():
        try:
            coerced = coerce_other_text(text)
        except AnswerError as error:
            problems.append(f"« {qid}{OTHER_SUFFIX} » : {error.message('fr')}")
            continue
        if coerced:
            typed[qid + OTHER_SUFFIX] = coerced
    return typed, problems


def import_responses(session: Session, campaign: Campaign, path: str | Path, *,
                     questionnaire: str | None = None, separator: str = "/",
                     dry_run: bool = False, actor: User | None = None,
                     today: dt.date | None = None, progress=None) -> ImportReport:
    """Import a Kobo/ODK export as ``import`` responses of ``campaign``; return the report.

    Nothing is written in a dry run. The caller commits. ``progress(fraction)``, when
    given, is called every 500 rows (a job's progress commits what was added so far: a
    row imported is never imported twice, so an interrupted import can simply run again).
    """
    path = Path(path)
    headers, body, repeats = read_export(path)
    version, definition, columns = _choose_definition(session, campaign, headers, separator,
                                                      questionnaire)
    report = ImportReport(path.name, questionnaire=definition.id, dry_run=dry_run,
                          rows=len(body), meta_columns=columns.meta, ignored=columns.ignored,
                          repeats=repeats)
    for index, target in columns.targets.items():
        report.mapped[headers[index]] = "/".join(target[1:])
    lowered = [h.strip().lower() for h in headers]
    districts = [{"code": d.code, "name": d.name} for d in campaign.districts]
    known = set(session.scalars(select(Response.paper_serial).where(
        Response.campaign_id == campaign.id, Response.paper_serial.like(SERIAL_PREFIX + "%"))))
    today = today or dt.date.today()
    for number, values in enumerate(body, start=2):
        if progress is not None and number % 500 == 0:
            progress((number - 2) / len(body))
        cells = {lowered[i]: v for i, v in enumerate(values) if i < len(lowered)}
        serial = _serial(cells, values)
        if serial in known:
            report.already += 1
            continue
        refused = _refused_upstream(cells)
        if refused:
            report.skipped.append((number, refused))
            continue
        typed, problems = _answers(definition, columns, values, districts)
        if problems:
            report.skipped.append((number, " ; ".join(problems)))
            continue
        kept = prune_hidden(definition, typed)
        report.pruned += len(typed) - len(kept)
        failed = constraint_failures(definition, kept)
        if failed:
            report.skipped.append((number, " ; ".join(c.message("fr") for c in failed)))
            continue
        if not kept:
            report.skipped.append((number, "aucune réponse à une question du questionnaire"))
            continue
        known.add(serial)
        report.imported += 1
        if dry_run:
            continue
        day = _day(cells) or today
        response = Response(campaign_id=campaign.id, questionnaire_version_id=version.id,
                            channel=Channel.IMPORT, status=ResponseStatus.COMPLETE,
                            created_on=day, submitted_on=day, language="fr",
                            paper_serial=serial,
                            entered_by_id=actor.id if actor is not None else None)
        for qid, value in kept.items():
            answer = Answer(question_id=qid)
            answer.value = value
            response.answers.append(answer)
        session.add(response)
    if not dry_run:
        session.flush()
        audit.record(session, actor, "responses.import", "campaign", campaign.id,
                     new={"source": path.name, "questionnaire": definition.id,
                          "imported": report.imported, "already": report.already,
                          "skipped": len(report.skipped)})
    return report
