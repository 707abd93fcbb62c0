"""Benchmark of the free-text pipeline against raw spaCy, in the same run.

    .venv/bin/python bench/bench_text.py            # 10,000 answers
    BENCH_QUICK=1 .venv/bin/python bench/bench_text.py   # 1,000 answers
    .venv/bin/python bench/bench_text.py --write    # also write bench/RESULTS_text.md

Checks:
- preprocessing throughput >= 80% of raw ``nlp.pipe`` with the same model and
  components (tokens/s of both printed, best of two rounds each, interleaved);
- themes from cached lemmas < 10 s;
- a full re-run (two questions and all together) with everything cached < 15 s;
- peak memory (ru_maxrss) < 2 GB.
"""
from __future__ import annotations

import datetime
import importlib.util
import os
import platform
import random
import resource
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.text import FrenchPreprocessor, load_french  # noqa: E402
from analysis.topics import analyse_answers, find_themes  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK") == "1"
N_ANSWERS = 1_000 if QUICK else 10_000
SEED = 12


def _generator():
    path = ROOT / "tests" / "data" / "make_free_text_corpus.py"
    spec = importlib.util.spec_from_file_location("make_free_text_corpus", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_answers(n: int, seed: int = SEED) -> pd.DataFrame:
    """Distinct answers of 5 to 60 words, sentences drawn from the test corpus themes."""
    gen = _generator()
    rng = random.Random(seed)
    themes = list(gen.THEMES)
    seen, rows = set(), []
    while len(rows) < n:
        theme = rng.choice(themes)
        target = rng.randint(5, 60)
        words: list[str] = []
        while len(words) < target:
            words += gen.answer(theme, rng).split()
        text = " ".join(words[:target])
        if text in seen:
            continue
        seen.add(text)
        rows.append((len(rows), rng.choice(["besoins", "quartier"]), text, theme,
                     rng.choice(["Centre", "Martinets", "Schuman", "Bergonié"])))
    return pd.DataFrame(rows, columns=["response_id", "question_id", "text", "theme", "district"])


def timed(function, *args, **kwargs):
    """Return the value, the wall-clock seconds and the CPU seconds of this process."""
    start, cpu = time.perf_counter(), time.process_time()
    value = function(*args, **kwargs)
    timed.cpu = time.process_time() - cpu
    return value, time.perf_counter() - start


def main() -> dict:
    answers = make_answers(N_ANSWERS)
    texts = answers["text"].tolist()
    nlp = load_french()
    list(nlp.pipe(texts[:200]))  # warm up both paths alike

    def raw():
        return sum(len(doc) for doc in nlp.pipe(texts, batch_size=256))

    def ours():
        return FrenchPreprocessor().preprocess(texts, cache={})

    raw_times, our_times = [], []
    n_tokens = 0
    for _ in range(2):  # interleaved, best of two: the machine is shared
        n_tokens, seconds = timed(raw)
        raw_times.append(seconds)
        _, seconds = timed(ours)
        our_times.append(seconds)
    raw_rate, our_rate = n_tokens / min(raw_times), n_tokens / min(our_times)

    cache: dict = {}
    FrenchPreprocessor().preprocess(texts, cache=cache)
    nmf, nmf_s = timed(find_themes, answers, cache=cache, seed=0)
    nmf_cpu = timed.cpu
    gsdmm, gsdmm_s = timed(find_themes, answers, cache=cache, seed=0, method="gsdmm")
    gsdmm_cpu = timed.cpu
    full, full_s = timed(analyse_answers, answers, cache=cache, seed=0)
    full_cpu = timed.cpu
    load = os.getloadavg()[0]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    results = {
        "answers": N_ANSWERS, "tokens": n_tokens,
        "raw_tokens_per_s": raw_rate, "our_tokens_per_s": our_rate,
        "ratio": our_rate / raw_rate,
        "themes_cached_nmf_s": nmf_s, "k_nmf": len(nmf.themes),
        "themes_cached_gsdmm_s": gsdmm_s, "k_gsdmm": len(gsdmm.themes),
        "full_rerun_cached_s": full_s, "peak_mb": peak_mb, "nmf_cpu_s": nmf_cpu,
        "gsdmm_cpu_s": gsdmm_cpu, "full_cpu_s": full_cpu, "load": load,
    }
    checks = {
        "throughput >= 80% of raw nlp.pipe": results["ratio"] >= 0.8,
        "themes from cached lemmas < 10 s": nmf_s < 10,
        "full cached re-run < 15 s": full_s < 15,
        "peak memory < 2 GB": peak_mb < 2048,
    }
    print(f"answers: {N_ANSWERS}, spaCy tokens: {n_tokens}")
    print(f"raw nlp.pipe:      {raw_rate:10.0f} tokens/s")
    print(f"preprocessing:     {our_rate:10.0f} tokens/s  (ratio {results['ratio']:.2f})")
    print(f"themes, NMF:       {nmf_s:6.2f} s wall, {nmf_cpu:5.2f} s CPU "
          f"({len(nmf.themes)} themes)")
    print(f"themes, GSDMM:     {gsdmm_s:6.2f} s wall, {gsdmm_cpu:5.2f} s CPU "
          f"({len(gsdmm.themes)} themes)")
    print(f"full cached re-run:{full_s:6.2f} s wall, {full_cpu:5.2f} s CPU "
          "(2 questions + together, NMF)")
    print(f"load average (1 min) at the end: {load:.1f}")
    print(f"peak memory:       {peak_mb:6.0f} MB")
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    if "--write" in sys.argv:
        write_results(results, checks)
    return results


def write_results(results: dict, checks: dict) -> None:
    """Write bench/RESULTS_text.md with the numbers of this run."""
    today = datetime.date.today().isoformat()
    lines = [
        "# Free-text benchmark (`bench/bench_text.py`)",
        "",
        f"Run on {today}, {os.cpu_count()} cores ({platform.processor() or platform.machine()}), "
        f"Python {platform.python_version()}, {results['answers']:,} distinct answers of 5 to "
        f"60 words ({results['tokens']:,} spaCy tokens). The machine was shared with other "
        f"jobs (1-minute load average {results['load']:.1f} at the end of the run): "
        "throughputs are the best of two interleaved rounds, and times are given both "
        "as wall clock and as CPU time of the benchmark process.",
        "",
        "| measure | value | target |",
        "|---|---|---|",
        f"| raw `nlp.pipe` (fr_core_news_sm: tok2vec, morphologizer, attribute_ruler, "
        f"lemmatizer) | {results['raw_tokens_per_s']:,.0f} tokens/s | baseline |",
        f"| preprocessing (normalise, lemmatise, expressions, stop words, hash, cache write) "
        f"| {results['our_tokens_per_s']:,.0f} tokens/s (ratio {results['ratio']:.2f}) "
        "| >= 0.80 of raw |",
        f"| themes from cached lemmas, NMF with automatic k (3..12) | "
        f"{results['themes_cached_nmf_s']:.2f} s wall, {results['nmf_cpu_s']:.2f} s CPU "
        f"({results['k_nmf']} themes) | < 10 s |",
        f"| themes from cached lemmas, GSDMM (k chosen as above, 3 chains) | "
        f"{results['themes_cached_gsdmm_s']:.2f} s wall, {results['gsdmm_cpu_s']:.2f} s CPU "
        f"({results['k_gsdmm']} themes) | — |",
        f"| full re-run, everything cached (2 questions + all together) | "
        f"{results['full_rerun_cached_s']:.2f} s wall, {results['full_cpu_s']:.2f} s CPU "
        "| < 15 s |",
        f"| peak memory (ru_maxrss) | {results['peak_mb']:,.0f} MB | < 2 GB |",
        "",
        "Checks: " + "; ".join(f"{name}: {'pass' if ok else 'FAIL'}"
                               for name, ok in checks.items()) + ".",
        "",
    ]
    (ROOT / "bench" / "RESULTS_text.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
