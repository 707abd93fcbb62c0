"""Questionnaires as data: definition format, condition language, validation.

A pure package (no Flask, no database): the web and database layers build on
this API.
"""
from .answers import TEXT_LIMITS, coerce_answer, coerce_other_text
from .conditions import ConditionSyntaxError, Node, evaluate_condition, node_from_json, parse_condition
from .diff import DefinitionDiff, diff_definitions
from .errors import AnswerError, DefinitionError, Problem
from .loader import build_definition, load_definition, parse_definition
from .model import (CHOICE_TYPES, DEFAULT_AXES, NSP_CODE, OTHER_SUFFIX, QUESTION_TYPES, ROLES,
                    Constraint, Definition, Indicator, Option, Question, Row, Section,
                    district_options)
from .schema import SCHEMA
from .synthetic import SyntheticSample, generate_responses, generate_sample
from .typecheck import check_condition
from .validation import (constraint_failures, effective_answers, prune_hidden,
                         validate_answers, visible_questions, visible_sections)

__all__ = [
    "load_definition", "parse_definition", "build_definition", "Definition", "Section",
    "Question", "Option", "Row", "Indicator", "Constraint", "DefinitionError", "Problem",
    "DEFAULT_AXES", "QUESTION_TYPES", "CHOICE_TYPES", "ROLES", "NSP_CODE", "OTHER_SUFFIX",
    "SCHEMA", "district_options", "parse_condition", "evaluate_condition", "node_from_json",
    "check_condition", "ConditionSyntaxError", "Node", "visible_sections",
    "visible_questions", "coerce_answer", "coerce_other_text", "AnswerError", "TEXT_LIMITS",
    "validate_answers", "prune_hidden", "effective_answers", "constraint_failures",
    "diff_definitions", "DefinitionDiff", "generate_responses", "generate_sample",
    "SyntheticSample",
]
