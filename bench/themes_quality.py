"""How well the unsupervised themes find the known themes of two French corpora.

    .venv/bin/python bench/themes_quality.py [--seeds 0 1 2]

For each corpus (``tests/data/coding_corpus_fr.csv``: tuning — the words and
settings of analysis.topics were adjusted looking at it; ``tests/data/coding_eval_fr.csv``:
held-out, frozen, only measured) and each method, at the known number of themes (the
distinct main themes of the useful answers), prints the adjusted Rand index and the
normalised mutual information of the themes found against the main theme (the first
listed) of each useful answer, averaged over the seeds. Useless answers are left out;
an answer without a theme counts as a cluster of its own.
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

CORPORA = {"réglage (coding_corpus_fr)": ROOT / "tests" / "data" / "coding_corpus_fr.csv",
           "témoin gelé (coding_eval_fr)": ROOT / "tests" / "data" / "coding_eval_fr.csv"}


def known_themes(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, keep_default_na=False)
    frame["main"] = frame["themes"].str.split("|").str[0]
    return frame[frame["main"] != ""].reset_index(drop=True)


def scores(useful: pd.DataFrame, method: str, seed: int, cache) -> tuple[float, float, int]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    k = useful["main"].nunique()
    result = find_themes(useful[["text"]], method=method, k=k, seed=seed, cache=cache)
    found = result.answers["theme_id"].astype("float").fillna(-1).to_numpy()
    return (adjusted_rand_score(useful["main"], found), normalized_mutual_info_score(useful["main"], found),
            len(result.themes))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args()
    cache: dict = {}
    print(f"{'corpus':32s} {'méthode':8s} {'k':>3s} {'ARI':>6s} {'NMI':>6s}  (moyenne de {len(args.seeds)} graines)")
    for name, path in CORPORA.items():
        useful = known_themes(path)
        for method in METHODS:
            runs = np.array([scores(useful, method, seed, cache)[:2] for seed in args.seeds])
            print(f"{name:32s} {method:8s} {useful['main'].nunique():3d} {runs[:, 0].mean():6.3f} {runs[:, 1].mean():6.3f}"
                  f"  (ARI de {runs[:, 0].min():.3f} à {runs[:, 0].max():.3f})")


if __name__ == "__main__":
    main()
