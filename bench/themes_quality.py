"""How well the themes find the known themes of French corpora, per method.

    .venv/bin/python bench/themes_quality.py [--seeds 0 1 2] [--half-codebook] [--tuning-only]
    .venv/bin/python bench/themes_quality.py --timing     # CPU of themes on 10,000 answers

For each corpus (``tests/data/coding_corpus_fr.csv``: tuning — the words and
settings of analysis.topics were adjusted looking at it; ``tests/data/coding_eval_fr.csv``:
held-out, frozen, only measured; and answers on another subject than the codebook's,
``tests/analysis/topics_offdomain_fr.csv``) and each method, at the known number of themes (the
distinct main themes of the useful answers), prints the adjusted Rand index and the
normalised mutual information of the themes found against the main theme (the first
listed) of each useful answer, averaged over the seeds. Useless answers are left out;
an answer without a theme counts as a cluster of its own.

``--half-codebook`` also measures, on the tuning corpus only, the ``"guided"`` method
with every other theme of the codebook removed: the ARI on all answers, and on the
answers whose theme the codebook no longer has (what the themes must discover alone),
beside ``"vectors"`` on those same answers.

``--timing`` instead times :func:`find_themes` and :func:`analyse_answers` (automatic k)
on the 10,000 answers of ``bench_text.py`` from cached lemmas, for ``"guided"`` and
``"vectors"`` (CPU and wall seconds; the first guided run also parses the answers the
coder rewrites, as the coding would).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.topics import METHODS, find_themes  # noqa: E402

CORPORA_TUNING = ROOT / "tests" / "data" / "coding_corpus_fr.csv"
CORPORA = {"réglage (coding_corpus_fr)": CORPORA_TUNING,
           "témoin gelé (coding_eval_fr)": ROOT / "tests" / "data" / "coding_eval_fr.csv"}
#: Answers on another subject than the codebook's (taxes, ecology, democracy, public
#: services, wages, farming; 120 answers, 6 themes), written for the ``"guided"`` method:
#: a codebook that does not fit must not make the themes worse than the vectors alone.
OFF_SUBJECT = {"hors sujet (topics_offdomain_fr)": ROOT / "tests" / "analysis" / "topics_offdomain_fr.csv"}


def known_themes(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, keep_default_na=False)
    frame["main"] = frame["themes"].str.split("|").str[0]
    return frame[frame["main"] != ""].reset_index(drop=True)


def found_themes(useful: pd.DataFrame, method: str, seed: int, cache, **options) -> np.ndarray:
    k = useful["main"].nunique()
    result = find_themes(useful[["text"]], method=method, k=k, seed=seed, cache=cache, **options)
    return result.answers["theme_id"].astype("float").fillna(-1).to_numpy()


def scores(useful: pd.DataFrame, method: str, seed: int, cache) -> tuple[float, float]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    found = found_themes(useful, method, seed, cache)
    return adjusted_rand_score(useful["main"], found), normalized_mutual_info_score(useful["main"], found)


def half_codebook(useful: pd.DataFrame, seeds, cache) -> None:
    """Guided by every other theme of the codebook: do the removed themes emerge?"""
    from sklearn.metrics import adjusted_rand_score

    from analysis.coding import codebook_from_dict, load_codebook

    data = load_codebook().to_dict()
    kept = [theme["key"] for theme in data["themes"]][::2]
    data["themes"] = [theme for theme in data["themes"] if theme["key"] in kept]
    half = codebook_from_dict(data)
    removed = ~useful["main"].isin(kept).to_numpy()
    for method, options in (("guided", {"codebook": half}), ("vectors", {})):
        runs = []
        for seed in seeds:
            found = found_themes(useful, method, seed, cache, **options)
            runs.append((adjusted_rand_score(useful["main"], found),
                         adjusted_rand_score(useful["main"][removed], found[removed])))
        runs = np.array(runs)
        print(f"{'réglage, grille à moitié':32s} {method:8s} ARI {runs[:, 0].mean():6.3f} ; sur les "
              f"{removed.sum()} réponses dont le thème a été retiré de la grille : {runs[:, 1].mean():6.3f}")


def timing() -> None:
    import time

    sys.path.insert(0, str(ROOT / "bench"))
    from bench_text import make_answers

    from analysis.text import FrenchPreprocessor
    from analysis.topics import analyse_answers

    answers = make_answers(10_000)
    cache: dict = {}
    FrenchPreprocessor().preprocess(answers["text"].tolist(), cache=cache)
    runs = [("find_themes", find_themes, "guided"), ("find_themes", find_themes, "vectors"),
            ("find_themes", find_themes, "guided"), ("analyse_answers", analyse_answers, "guided"),
            ("analyse_answers", analyse_answers, "vectors")]
    for name, function, method in runs:
        cpu, wall = time.process_time(), time.perf_counter()
        function(answers, cache=cache, seed=0, method=method)
        print(f"{name:16s} {method:8s} CPU {time.process_time() - cpu:6.2f} s, "
              f"wall {time.perf_counter() - wall:6.2f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--half-codebook", action="store_true",
                        help="also guide by half of the codebook's themes (tuning corpus only)")
    parser.add_argument("--tuning-only", action="store_true", help="measure the tuning corpus only")
    parser.add_argument("--timing", action="store_true", help="time themes on 10,000 answers")
    args = parser.parse_args()
    if args.timing:
        return timing()
    cache: dict = {}
    print(f"{'corpus':32s} {'méthode':8s} {'k':>3s} {'ARI':>6s} {'NMI':>6s}  (moyenne de {len(args.seeds)} graines)")
    for name, path in {**CORPORA, **OFF_SUBJECT}.items():
        if args.tuning_only and path != CORPORA_TUNING:
            continue
        useful = known_themes(path)
        for method in METHODS:
            runs = np.array([scores(useful, method, seed, cache) for seed in args.seeds])
            print(f"{name:32s} {method:8s} {useful['main'].nunique():3d} {runs[:, 0].mean():6.3f} {runs[:, 1].mean():6.3f}"
                  f"  (ARI de {runs[:, 0].min():.3f} à {runs[:, 0].max():.3f})")
        if args.half_codebook and path == CORPORA_TUNING:
            half_codebook(useful, args.seeds, cache)


if __name__ == "__main__":
    main()
