"""The codebook of free-text coding: themes, seed terms, loading, validation, saving.

Private helper of :mod:`analysis.coding`. A codebook is data: the default one ships
with the package (``analysis/coding/data/codebook.yaml``, described by
``codebook.schema.json`` and documented in ``CODEBOOK.md`` beside it) and is read with
:mod:`importlib.resources`, so it is found wherever the package is installed. Loading
checks the schema and the rules a schema cannot say, and reports every problem at once.
"""
from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import yaml

from ..axes import AXIS_LABELS

__all__ = ["DEFAULT_CODEBOOK_PATH", "CODEBOOK_SCHEMA_PATH", "CODEBOOK_DOC_PATH", "Codebook",
           "CodebookTheme", "SeedTerm", "CodebookError", "load_codebook",
           "codebook_from_dict", "validate_codebook", "codebook_schema", "THEME_KINDS"]

#: Kinds of theme: a need (what is wrong or missing) or a population concerned. In a
#: CLS codebook the main theme of an answer is its need; the population is a facet.
THEME_KINDS = ("need", "population")

_DATA = files("analysis.coding") / "data"
#: The default French CLS codebook shipped with the package (a package resource).
DEFAULT_CODEBOOK_PATH = _DATA / "codebook.yaml"
#: Its JSON schema (Draft 2020-12).
CODEBOOK_SCHEMA_PATH = _DATA / "codebook.schema.json"
#: The coordinator's guide to the codebook format (French).
CODEBOOK_DOC_PATH = _DATA / "CODEBOOK.md"


class CodebookError(ValueError):
    """A codebook that cannot be used; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[str], source: str = "codebook"):
        self.problems = list(problems)
        self.source = source
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{source} : {len(self.problems)} problème(s) dans la grille "
                         f"de codage :\n{lines}")


@dataclass(frozen=True)
class SeedTerm:
    """A word or phrase that signals a theme, with its weight in (0, 1]."""

    text: str
    weight: float = 1.0


@dataclass(frozen=True)
class CodebookTheme:
    """One theme of the codebook."""

    key: str
    label: Mapping[str, str]
    axis: str
    description: str
    terms: tuple[SeedTerm, ...]
    exclusions: tuple[str, ...] = ()
    #: "need" (the default) or "population" (see :data:`THEME_KINDS`).
    kind: str = "need"
    #: Terms naming the people concerned ("personnes âgées"): alone, they make the
    #: theme a facet of the answer, never its main theme when a need is found.
    population_terms: tuple[SeedTerm, ...] = ()

    @property
    def is_population(self) -> bool:
        """Whether the theme names a population concerned rather than a need."""
        return self.kind == "population"

    @property
    def label_fr(self) -> str:
        """The French label (always present)."""
        return self.label["fr"]

    def to_dict(self) -> dict:
        """Return the theme as written in the YAML file."""
        data = {"key": self.key, "label": dict(self.label), "axis": self.axis}
        if self.kind != "need":
            data["kind"] = self.kind
        data |= {"description": self.description,
                "terms": [t.text if t.weight == 1.0 else {"term": t.text, "weight": t.weight}
                          for t in self.terms]}
        if self.population_terms:
            data["population_terms"] = [
                t.text if t.weight == 1.0 else {"term": t.text, "weight": t.weight}
                for t in self.population_terms]
        if self.exclusions:
            data["exclusions"] = list(self.exclusions)
        return data


@dataclass(frozen=True)
class Codebook:
    """Themes used to code free-text answers, tied to the CLS axes.

    Instances are immutable: the editing methods return a new, validated codebook.
    """

    themes: tuple[CodebookTheme, ...]
    axes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    version: int = 1
    language: str = "fr"
    title: Mapping[str, str] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        """Theme keys in codebook order."""
        return [t.key for t in self.themes]

    def theme(self, key: str) -> CodebookTheme:
        """Return the theme with this key."""
        for theme in self.themes:
            if theme.key == key:
                return theme
        raise KeyError(f"no theme {key!r} in the codebook; themes are {self.keys}")

    def labels(self, language: str = "fr") -> dict[str, str]:
        """Return ``key -> label`` in `language` (French when missing)."""
        return {t.key: t.label.get(language, t.label_fr) for t in self.themes}

    def to_dict(self) -> dict:
        """Return the codebook as written in the YAML file."""
        data: dict = {"version": self.version, "language": self.language}
        if self.title:
            data["title"] = dict(self.title)
        if self.axes:
            data["axes"] = {k: dict(v) for k, v in self.axes.items()}
        data["themes"] = [t.to_dict() for t in self.themes]
        return data

    def save(self, path: str | Path) -> Path:
        """Write the codebook as YAML to `path` (validated first) and return the path."""
        codebook_from_dict(self.to_dict(), source=str(path))
        path = Path(path)
        text = yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False, width=100)
        path.write_text(text, encoding="utf-8")
        return path

    # --- editing ---------------------------------------------------------------------
    def with_theme(self, theme: CodebookTheme) -> Codebook:
        """Return the codebook with `theme` replacing the theme of the same key, or added."""
        themes = [theme if t.key == theme.key else t for t in self.themes]
        if theme.key not in self.keys:
            themes.append(theme)
        return self._validated(themes)

    def without_theme(self, key: str) -> Codebook:
        """Return the codebook without theme `key`."""
        self.theme(key)
        return self._validated([t for t in self.themes if t.key != key])

    def with_terms(self, key: str, add: Iterable[str] = (), remove: Iterable[str] = (),
                   exclusions: Iterable[str] = ()) -> Codebook:
        """Return the codebook with seed terms added to / removed from theme `key`."""
        theme = self.theme(key)
        dropped = {r.strip().lower() for r in remove}
        terms = [t for t in theme.terms if t.text.lower() not in dropped]
        population = tuple(t for t in theme.population_terms if t.text.lower() not in dropped)
        known = {t.text.lower() for t in (*terms, *population)}
        terms += [SeedTerm(a.strip()) for a in add if a.strip().lower() not in known]
        kept = [e for e in theme.exclusions]
        kept += [e.strip() for e in exclusions
                 if e.strip() and e.strip().lower() not in {k.lower() for k in kept}]
        new = dataclasses.replace(theme, terms=tuple(terms), population_terms=population,
                                  exclusions=tuple(kept))
        return self.with_theme(new)

    def _validated(self, themes: list[CodebookTheme]) -> Codebook:
        return codebook_from_dict(dataclasses.replace(self, themes=tuple(themes)).to_dict())


# --- loading and validation ------------------------------------------------------------

_SCHEMA: dict | None = None


def codebook_schema() -> dict:
    """Return the codebook JSON schema."""
    global _SCHEMA
    if _SCHEMA is None:
        _SCHEMA = json.loads(CODEBOOK_SCHEMA_PATH.read_text(encoding="utf-8"))
    return _SCHEMA


def _line_of(node, path) -> int | None:
    """Return the 1-based line of the YAML node at `path` (keys and indexes), if known."""
    line = None
    for step in path:
        if node is None:
            break
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == step), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) \
                and step < len(node.value):
            node = node.value[step]
        else:
            node = None
    if node is not None:
        line = node.start_mark.line + 1
    return line


def _where(source: str, node, path, data) -> str:
    line = _line_of(node, path) if node is not None else None
    location = f"{source}:{line}" if line else source
    theme = ""
    if len(path) >= 2 and path[0] == "themes" and isinstance(path[1], int):
        themes = data.get("themes") if isinstance(data, dict) else None
        if isinstance(themes, list) and path[1] < len(themes) and isinstance(themes[path[1]], dict):
            theme = f" [{themes[path[1]].get('key', f'thème {path[1] + 1}')}]"
    return f"{location}{theme}"


def validate_codebook(data: object, *, source: str = "codebook", node=None) -> list[str]:
    """Return every problem of a codebook mapping (empty when it is valid).

    Checks the JSON schema, then: unique theme keys, axes declared (or, without an
    ``axes`` section, one of the default CLS axes), no term twice in a theme, no
    exclusion equal to one of the theme's terms.
    """
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(codebook_schema())
    problems = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        path = list(error.absolute_path)
        where = "/".join(str(p) for p in path) or "racine"
        problems.append(f"{_where(source, node, path, data)}: {where} : {_french(error)}")
    if not isinstance(data, dict) or not isinstance(data.get("themes"), list):
        return problems
    axes = data.get("axes") if isinstance(data.get("axes"), dict) else AXIS_LABELS
    seen: dict[str, int] = {}
    for i, theme in enumerate(data["themes"]):
        if not isinstance(theme, dict):
            continue
        where = _where(source, node, ["themes", i], data)
        key, axis = theme.get("key"), theme.get("axis")
        if isinstance(key, str) and key in seen:
            problems.append(f"{where}: clé de thème « {key} » en double "
                            f"(déjà utilisée par le thème n° {seen[key] + 1})")
        if isinstance(key, str):
            seen.setdefault(key, i)
        if isinstance(axis, str) and axis not in axes:
            problems.append(f"{where}: axe inconnu « {axis} » ; axes possibles : "
                            f"{', '.join(sorted(axes))}")
        terms = theme.get("terms") if isinstance(theme.get("terms"), list) else []
        if isinstance(theme.get("population_terms"), list):
            terms = terms + theme["population_terms"]
        texts = [t if isinstance(t, str) else t.get("term") if isinstance(t, dict) else None
                 for t in terms]
        folded = [t.strip().lower() for t in texts if isinstance(t, str)]
        for term in sorted({t for t in folded if folded.count(t) > 1}):
            problems.append(f"{where}: terme « {term} » en double")
        for term in texts:
            if isinstance(term, str) and _NUMBER_ONLY.match(term):
                problems.append(f"{where}: le terme « {term} » n'est qu'un nombre, qui "
                                f"se lirait dans « 15 jours » ou « 13 ans » ; écrivez avec lui "
                                f"ce qu'il désigne (« 80 ans », « secteur 2 », « appeler le 15 »)")
        exclusions = theme.get("exclusions") if isinstance(theme.get("exclusions"), list) else []
        for exclusion in exclusions:
            if isinstance(exclusion, str) and exclusion.strip().lower() in folded:
                problems.append(f"{where}: « {exclusion} » est à la fois un terme et une "
                                f"exclusion du thème")
    return problems


#: A term that is only a number ("15", "2 %"): it would match "15 jours" or "13 ans".
_NUMBER_ONLY = re.compile(r"^\s*\d+(?:[.,]\d+)?\s*(?:%|€)?\s*$")


def _french(error) -> str:
    """Return a French message for a JSON-schema error."""
    kind = error.validator
    if kind == "required":
        missing = [p for p in error.validator_value if p not in (error.instance or {})]
        return f"champ obligatoire manquant : {', '.join(missing)}"
    if kind == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return f"champ inconnu : {', '.join(map(str, extra))}"
    if kind == "type":
        return f"type attendu {error.validator_value}, trouvé {type(error.instance).__name__}"
    if kind == "pattern":
        return f"« {error.instance} » n'a pas la forme attendue (minuscules, chiffres, _)"
    if kind in ("minItems", "minProperties"):
        return "ne doit pas être vide"
    if kind == "minLength":
        return "texte vide"
    if kind == "enum":
        return f"« {error.instance} » n'est pas permis ; valeurs possibles : " \
               f"{', '.join(map(str, error.validator_value))}"
    if kind == "oneOf":
        return "un terme est un texte ou {term: texte, weight: nombre entre 0 et 1}"
    if kind in ("maximum", "exclusiveMinimum", "minimum"):
        return f"valeur {error.instance} hors limites"
    return error.message


def _build(data: dict) -> Codebook:
    themes = tuple(CodebookTheme(
        key=t["key"], label=dict(t["label"]), axis=t["axis"],
        description=t["description"].strip(),
        terms=_seed_terms(t["terms"]),
        population_terms=_seed_terms(t.get("population_terms", [])),
        exclusions=tuple(e.strip() for e in t.get("exclusions", [])),
        kind=t.get("kind", "need"))
        for t in data["themes"])
    return Codebook(themes=themes, axes={k: dict(v) for k, v in (data.get("axes") or {}).items()},
                    version=int(data["version"]), language=data["language"],
                    title=dict(data.get("title") or {}))


def _seed_terms(items) -> tuple[SeedTerm, ...]:
    return tuple(SeedTerm(x.strip()) if isinstance(x, str)
                 else SeedTerm(x["term"].strip(), float(x.get("weight", 1.0))) for x in items)


def codebook_from_dict(data: object, *, source: str = "codebook", node=None) -> Codebook:
    """Return the codebook described by a mapping; raise :class:`CodebookError` otherwise."""
    problems = validate_codebook(data, source=source, node=node)
    if problems:
        raise CodebookError(problems, source)
    return _build(data)  # type: ignore[arg-type]


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Load and validate a codebook YAML file (default: the shipped French CLS codebook).

    Raises
    ------
    CodebookError
        Listing every problem with its file and line.
    """
    # the default is a package resource (a Path, or a Traversable in a zipped install)
    path = Path(path) if path is not None else DEFAULT_CODEBOOK_PATH
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise CodebookError([f"{where}: YAML illisible : {getattr(error, 'problem', error)}"],
                            str(path)) from None
    return codebook_from_dict(data, source=str(path), node=node)
