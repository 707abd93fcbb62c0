"""Differences between two versions of a questionnaire.

The database loader uses them to refuse a new version that drops a question,
an option code or a matrix row that existing responses use, or changes a type.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

from .model import Definition

__all__ = ["DefinitionDiff", "diff_definitions"]


@dataclass
class DefinitionDiff:
    dropped_questions: list[str] = field(default_factory=list)
    added_questions: list[str] = field(default_factory=list)
    #: question id -> option codes (or matrix rows) present before and gone now
    dropped_options: dict[str, list[str]] = field(default_factory=dict)
    added_options: dict[str, list[str]] = field(default_factory=dict)
    dropped_rows: dict[str, list[str]] = field(default_factory=dict)
    added_rows: dict[str, list[str]] = field(default_factory=dict)
    #: question id -> (old type, new type)
    changed_types: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not any((self.dropped_questions, self.added_questions, self.dropped_options,
                        self.added_options, self.dropped_rows, self.added_rows,
                        self.changed_types))

    @property
    def is_breaking(self) -> bool:
        """True when something existing answers may use is dropped or retyped."""
        return bool(self.dropped_questions or self.dropped_options or self.dropped_rows
                    or self.changed_types)

    def conflicts(self, used: Mapping[str, Iterable[str] | None]) -> list[str]:
        """French messages for the breaking changes that touch ``used`` data.

        ``used`` maps a question id to the codes (or matrix rows) found in existing
        answers; ``None`` or an empty iterable means "answered, codes unknown".
        """
        messages = []
        for qid in self.dropped_questions:
            if qid in used:
                messages.append(f"la question « {qid} » est supprimée alors que des réponses "
                                f"l'utilisent")
        for qid, (old, new) in self.changed_types.items():
            if qid in used:
                messages.append(f"la question « {qid} » change de type ({old} → {new}) alors "
                                f"que des réponses l'utilisent")
        for kind, dropped in (("code", self.dropped_options), ("ligne", self.dropped_rows)):
            for qid, codes in dropped.items():
                in_use = set(used.get(qid) or ())
                gone = [c for c in codes if c in in_use]
                if gone:
                    messages.append(f"question « {qid} » : {kind}(s) supprimé(s) mais utilisé(s) "
                                    f"par des réponses : {', '.join(gone)}")
        return messages

    def summary(self) -> list[str]:
        """One French line per change."""
        lines = [f"question supprimée : {q}" for q in self.dropped_questions]
        lines += [f"question ajoutée : {q}" for q in self.added_questions]
        lines += [f"type changé : {q} ({a} → {b})" for q, (a, b) in self.changed_types.items()]
        for title, mapping in (("codes supprimés", self.dropped_options),
                               ("codes ajoutés", self.added_options),
                               ("lignes supprimées", self.dropped_rows),
                               ("lignes ajoutées", self.added_rows)):
            lines += [f"{title} dans {q} : {', '.join(c)}" for q, c in mapping.items()]
        return lines

    def to_dict(self) -> dict:
        return {
            "dropped_questions": self.dropped_questions,
            "added_questions": self.added_questions,
            "dropped_options": self.dropped_options, "added_options": self.added_options,
            "dropped_rows": self.dropped_rows, "added_rows": self.added_rows,
            "changed_types": {k: list(v) for k, v in self.changed_types.items()},
        }


def diff_definitions(old: Definition, new: Definition) -> DefinitionDiff:
    """What ``new`` drops, adds or retypes compared with ``old``."""
    diff = DefinitionDiff()
    diff.dropped_questions = [q for q in old.questions if q not in new.questions]
    diff.added_questions = [q for q in new.questions if q not in old.questions]
    for qid, before in old.questions.items():
        after = new.questions.get(qid)
        if after is None:
            continue
        if before.type != after.type:
            diff.changed_types[qid] = (before.type, after.type)
        for attr, dropped, added in (("codes", diff.dropped_options, diff.added_options),
                                     ("row_ids", diff.dropped_rows, diff.added_rows)):
            old_codes, new_codes = getattr(before, attr), getattr(after, attr)
            gone = [c for c in old_codes if c not in new_codes]
            new_ones = [c for c in new_codes if c not in old_codes]
            if gone:
                dropped[qid] = gone
            if new_ones:
                added[qid] = new_ones
    return diff
