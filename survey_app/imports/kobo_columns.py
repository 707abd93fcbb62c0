"""Which column of a KoboToolbox or ODK Central export holds which question: by name
(``group/question`` or ``question``, with a configurable group separator) or by label
(Kobo's "labels" export), a matrix row, the "autre" text of a question, or one option of
a ``select_multiple`` split into 0/1 columns (``question/option`` or ``question.option``).
Kobo's and ODK's meta columns (``_id``, ``_uuid``, ``_submission_time``…) are recognised
and kept apart.
"""
from __future__ import annotations

import re
import unicodedata

from ..questionnaire import Definition

__all__ = ["Columns"]

_META_NAMES = {
    "_id", "_uuid", "_submission_time", "_validation_status", "_index", "_parent_index",
    "_parent_table_name", "_submission__id", "_submission__uuid", "_submission__submission_time",
    "_submission__validation_status", "_notes", "_status", "_submitted_by", "_tags",
    "_geolocation", "_attachments", "_xform_id_string", "_media_count", "_total_media",
    "_media_all_received", "__version__", "formhub/uuid", "meta/instanceid",
    "meta/instancename", "meta/deprecatedid", "meta/rootuuid", "meta/audit", "start", "end",
    "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username", "email",
    "instanceid", "instancename", "submissiondate", "key", "submitterid", "submittername",
    "attachmentspresent", "attachmentsexpected", "status", "reviewstate", "formversion",
    "edits", "parent_key", "audit",
}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def _name_key(text: str) -> str:
    return re.sub(r"_+", "_", re.sub(r"[^a-z0-9_]+", "_", text.lower())).strip("_")


class Columns:
    """Which column holds which question (or matrix row, option, "autre" text)."""

    def __init__(self, definition: Definition, headers: list[str], separator: str):
        self.d = definition
        self.names: dict[str, tuple] = {}
        labels: dict[str, dict[tuple, None]] = {}
        for q in definition.questions.values():
            if not q.answerable:
                continue
            self.names[_name_key(q.id)] = ("q", q.id)
            for label in q.labels.values():
                labels.setdefault(_fold(label), {})[("q", q.id)] = None
            for r in q.rows:
                self.names.setdefault(_name_key(f"{q.id}__{r.id}"), ("row", q.id, r.id))
                for label in r.labels.values():
                    labels.setdefault(_fold(label), {})[("row", q.id, r.id)] = None
            if q.other_option is not None:
                for suffix in ("__autre", "_other", "_autre"):
                    self.names.setdefault(_name_key(q.id + suffix), ("other", q.id))
        # a label several questions share says nothing: such a column is reported
        self.labels: dict[str, tuple | str] = {
            label: next(iter(found)) if len(found) == 1 else
            "libellé commun à plusieurs questions (" + ", ".join(
                "/".join(t[1:]) for t in found) + ") : exportez avec les noms (XML)"
            for label, found in labels.items()}
        self.targets: dict[int, tuple] = {}
        self.meta: list[str] = []
        self.ignored: list[tuple[str, str]] = []
        for index, header in enumerate(headers):
            target = self.match(header, separator)
            if target == "meta":
                self.meta.append(header)
            elif target is None:
                if header:
                    self.ignored.append((header, "aucune question de ce nom ou de ce libellé"))
            elif isinstance(target, str):
                self.ignored.append((header, target))
            else:
                self.targets[index] = target

    def match(self, header: str, separator: str):
        lowered = header.strip().lower()
        if not lowered:
            return None
        last = lowered.split(separator)[-1] if separator else lowered
        if lowered.startswith("_") or last.startswith("_") or lowered.startswith("meta" + separator):
            return "meta"
        segments = [s for s in (header.split(separator) if separator else [header]) if s]
        found = self.lookup(segments[-1])
        if isinstance(found, tuple):
            return found
        if lowered in _META_NAMES or last in _META_NAMES:
            return "meta"
        if isinstance(found, str):
            return found
        # split 0/1 column of a multiple choice: question/option or question.option
        pairs = []
        if len(segments) >= 2:
            pairs.append((segments[-2], segments[-1]))
        if "." in segments[-1]:
            pairs.append(tuple(segments[-1].rsplit(".", 1)))
        for question_part, option_part in pairs:
            owner = self.lookup(question_part)
            if not isinstance(owner, tuple) or owner[0] != "q":
                continue
            q = self.d.questions[owner[1]]
            if q.type not in ("multiple",):
                continue
            for option in q.options:
                if option.code.casefold() == option_part.strip().casefold() or any(
                        _fold(label) == _fold(option_part) for label in option.labels.values()):
                    return ("split", q.id, option.code)
            return f"option inconnue « {option_part} » de la question « {q.id} »"
        return None

    def lookup(self, text: str):
        return self.names.get(_name_key(text)) or self.labels.get(_fold(text))
