"""Tests of analysis.text: normalisation, expressions, stop words, useless answers, cache."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.text import (
    STOP_WORDS,
    FrenchPreprocessor,
    LemmaCache,
    default_preprocessor,
    load_french,
    normalise_text,
    preprocess_answers,
    text_hash,
    useless_reason,
)


@pytest.fixture(scope="session")
def nlp():
    """The spaCy pipeline, loaded once for the whole test session."""
    return load_french()


def test_pipeline_has_only_the_lemmatiser_components(nlp):
    assert nlp.pipe_names == ["tok2vec", "morphologizer", "attribute_ruler", "lemmatizer"]
    assert load_french() is nlp


@pytest.mark.parametrize("raw, expected", [
    ("RDV chez le medecin", "rendez-vous chez le médecin"),
    ("pas de mdt", "pas de médecin traitant"),
    ("gros pb ds le quartier", "gros problème dans le quartier"),
    ("un generaliste svp", "un généraliste s'il vous plaît"),
    ("les urgenses", "les urgences"),
    ("le dantiste pr les enfants", "le dentiste pour les enfants"),
    ("appeler qqn par tel", "appeler quelqu'un par téléphone"),
    ("bcp d attente", "beaucoup d'attente"),
    ("tel que je le dis", "tel que je le dis"),
    ("L’air\u00a0est   pollué", "l'air est pollué"),
])
def test_abbreviations_and_misspellings_are_normalised(raw, expected):
    assert normalise_text(raw) == expected


def test_missing_values_normalise_to_empty():
    assert normalise_text(None) == ""
    assert normalise_text(float("nan")) == ""


@given(st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "Z"]),
               max_size=60))
@settings(max_examples=200, deadline=None)
def test_normalisation_is_idempotent(raw):
    once = normalise_text(raw)
    assert normalise_text(once) == once


def test_multi_word_expressions_are_single_tokens(nlp):
    result = preprocess_answers([
        "Les médecins traitants partent à la retraite",
        "La qualité de l air est mauvaise",
        "les personnes agées sont seules",
        "la prise de rdv est impossible, il manque des espaces verts",
        "la santé mentale des jeunes, un centre de santé, une aide à domicile",
    ])
    tokens = [set(t) for t in result.tokens]
    assert "médecin traitant" in tokens[0]
    assert "qualité de l'air" in tokens[1]
    assert "personnes âgées" in tokens[2]
    assert {"prise de rendez-vous", "espaces verts"} <= tokens[3]
    assert {"santé mentale", "centre de santé", "aide à domicile"} <= tokens[4]


def test_extra_expressions_can_be_added(nlp):
    preprocessor = FrenchPreprocessor(expressions=("maison médicale",))
    assert preprocessor.preprocess(["une maison médicale"]).tokens == [["maison médicale"]]
    assert preprocessor.salt != default_preprocessor().salt


def test_stop_words_keep_meaningful_words(nlp):
    for word in ("pas", "sans", "plus", "moins", "personne", "proche", "aucun", "trop",
                 "peu", "seul"):
        assert word not in STOP_WORDS
    for word in ("le", "de", "et", "être", "avoir"):
        assert word in STOP_WORDS
    tokens = preprocess_answers(["Sans médecin, je ne suis pas soigné"]).tokens[0]
    assert "sans" in tokens and "pas" in tokens
    assert "je" not in tokens and "être" not in tokens


@pytest.mark.parametrize("answer", ["rien", "RAS", "r.a.s", "R.A.S.", "je ne sais pas", "jsp",
                                    "nsp", "NSP", "...", "non", "Non.", "aucun", "pas d'avis",
                                    "", "  ", None, "?!", "123", "12/05", "Rien à signaler"])
def test_useless_answers_are_recognised(answer):
    assert useless_reason(normalise_text(answer)) is not None


@pytest.mark.parametrize("answer", ["pas de médecin", "rien pour les jeunes", "non au bruit"])
def test_short_answers_with_content_are_kept(answer):
    assert useless_reason(normalise_text(answer)) is None


def test_useless_answers_are_counted_and_not_parsed(nlp):
    result = preprocess_answers(["RAS", "", "...", "le le le", "bruit des camions", None])
    assert result.useless == ["useless", "empty", "no_letters", "no_content", None, "empty"]
    assert result.counts == {"answers": 6, "useful": 1, "empty": 2, "no_letters": 1,
                             "useless": 1, "no_content": 1}
    assert result.tokens[4] == ["bruit", "camion"]
    assert result.n_parsed == 2


def test_text_hash_depends_on_normalised_text_only():
    assert text_hash("RDV  chez le medecin") == text_hash("rdv chez le médecin")
    assert text_hash("rdv") != text_hash("bruit")
    assert len(text_hash("rdv")) == 32


ANSWERS = ["Pas de mdt depuis 2 ans", "trop de bruit la nuit", "les personnes âgées sont seules",
           "trop de bruit la nuit", "RAS"]


def test_warm_cache_never_calls_spacy(nlp, monkeypatch):
    cache = {}
    cold = preprocess_answers(ANSWERS, cache=cache)
    assert cold.n_parsed == 3  # distinct useful texts only
    assert set(cache) == {text_hash(a) for a in ANSWERS[:3]}

    def no_spacy(*args, **kwargs):
        raise AssertionError("spaCy must not run on a warm cache")

    monkeypatch.setattr(FrenchPreprocessor, "nlp", property(no_spacy))
    warm = FrenchPreprocessor().preprocess(ANSWERS, cache=cache)
    assert warm.tokens == cold.tokens
    assert warm.n_parsed == 0


class CountingStore:
    """A bulk store like a database table: one read, writes by batch."""

    def __init__(self):
        self.rows, self.reads, self.writes = {}, 0, 0

    def get_many(self, keys):
        self.reads += 1
        return {k: self.rows[k] for k in keys if k in self.rows}

    def set_many(self, items):
        self.writes += 1
        self.rows.update(items)


def test_bulk_cache_protocol(nlp):
    store = CountingStore()
    assert isinstance(store, LemmaCache)
    preprocess_answers(ANSWERS, cache=store)
    assert (store.reads, store.writes) == (1, 1)
    preprocess_answers(ANSWERS, cache=store)
    assert (store.reads, store.writes) == (2, 1)


def test_bad_cache_is_refused():
    with pytest.raises(TypeError):
        preprocess_answers(["bruit"], cache=object())


def test_progress_reaches_total(nlp):
    calls = []
    preprocess_answers(ANSWERS, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (5, 5)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
