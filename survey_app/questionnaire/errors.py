"""Errors of definition loading and answer coercion."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping

__all__ = ["Problem", "DefinitionError", "AnswerError"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a definition file: where, which question, what (in French)."""

    file: str
    line: int | None
    question_id: str | None
    message: str
    #: the same message in English
    message_en: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        question = f" [{self.question_id}]" if self.question_id else ""
        return f"{where}:{question} {self.message}"


class DefinitionError(ValueError):
    """A definition that does not validate; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = sorted(
            dict.fromkeys(problems), key=lambda p: (p.file, p.line or 0, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class AnswerError(ValueError):
    """An answer that cannot be accepted; the message exists in French and English."""

    def __init__(self, messages: Mapping[str, str]):
        self.messages = dict(messages)
        super().__init__(self.messages["fr"])

    def message(self, lang: str = "fr") -> str:
        return self.messages.get(lang) or self.messages["fr"]

    def __str__(self) -> str:
        return self.messages["fr"]
