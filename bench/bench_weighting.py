"""Benchmark: raking and 60 cross-tables with standard errors, against R's survey.

Run from the project root::

    .venv/bin/python bench/bench_weighting.py            # 100,000 respondents
    BENCH_QUICK=1 .venv/bin/python bench/bench_weighting.py   # 10,000, smoke test

Synthetic respondents (8 districts, 6 age bands, 2 sexes, skewed towards older women)
are raked to census margins, then 60 closed questions (binary and 3-4 level, with
some missing answers) are tabulated by district with linearised, calibration-aware
standard errors (R: ``rake`` then ``svyby(~q, ~district, design, svymean, na.rm =
TRUE)``). When ``Rscript`` and the survey package are installed the same data are
written to a temporary CSV and R times the same two steps with ``proc.time()``
(reading the CSV is not timed); R's first and last tables are compared with ours.
The full run writes ``bench/RESULTS_weighting.md``.
"""
from __future__ import annotations

import datetime
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.estimation import survey_mean  # noqa: E402
from analysis.weighting import Design, rake  # noqa: E402

QUICK = os.environ.get("BENCH_QUICK") == "1"
N = 10_000 if QUICK else 100_000
N_QUESTIONS = 60
SEED = 7
EPSILON = 1e-8  # fraction of the weight total, same rule in R (epsilon < 1)
MAX_ITER = 100
TARGETS = {"rake_s": 1.0, "tables_s": 10.0, "speedup": 10.0}

DISTRICTS = [f"D{i}" for i in range(1, 9)]
AGES = ["18-29", "30-44", "45-59", "60-74", "75-84", "85+"]
SEXES = ["F", "M"]

R_SCRIPT = r"""
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
df <- read.csv(args[1])
margins <- read.csv(args[2])
questions <- grep("^q", names(df), value = TRUE)
pop <- lapply(c("district", "age_band", "sex"), function(v) {
  m <- margins[margins$variable == v, ]
  setNames(data.frame(m$category, m$count), c(v, "Freq"))
})
des0 <- svydesign(ids = ~1, weights = ~base_weight, data = df)
t0 <- proc.time()[["elapsed"]]
rk <- rake(des0, list(~district, ~age_band, ~sex), pop,
           control = list(maxit = %d, epsilon = %g))
t1 <- proc.time()[["elapsed"]]
tables <- lapply(questions, function(q)
  svyby(as.formula(paste0("~", q)), ~district, rk, svymean, na.rm = TRUE))
t2 <- proc.time()[["elapsed"]]
cat(sprintf("RAKE %%.6f\nTABLES %%.6f\n", t1 - t0, t2 - t1))
check <- function(tab, q) {
  k <- attr(tab, "svyby")$nstats
  data.frame(question = q, district = rep(rownames(tab), k),
             stat = rep(attr(tab, "svyby")$variables, each = nrow(tab)),
             estimate = unlist(tab[, 1 + seq_len(k)]),
             se = unlist(tab[, 1 + k + seq_len(k)]))
}
out <- rbind(check(tables[[1]], questions[1]),
             check(tables[[length(tables)]], questions[length(questions)]))
write.csv(out, args[3], row.names = FALSE)
"""


def make_population(rng):
    """Census margins of an invented town of about 60,000 adults."""
    district_pop = rng.integers(5_000, 10_000, len(DISTRICTS))
    age_share = np.array([0.19, 0.26, 0.25, 0.18, 0.09, 0.03])
    total = int(district_pop.sum())
    ages = np.round(age_share / age_share.sum() * total).astype(int)
    ages[-1] += total - ages.sum()
    sexes = np.array([total * 51 // 100, total - total * 51 // 100])
    rows = ([("district", c, n) for c, n in zip(DISTRICTS, district_pop)]
            + [("age_band", c, n) for c, n in zip(AGES, ages)]
            + [("sex", c, n) for c, n in zip(SEXES, sexes)])
    return pd.DataFrame(rows, columns=["variable", "category", "count"])


def make_respondents(rng, n):
    """Respondents skewed towards older women, with 60 closed questions."""
    age_p = np.array([0.08, 0.15, 0.22, 0.27, 0.2, 0.08])
    df = pd.DataFrame({
        "district": np.array(DISTRICTS)[rng.integers(0, len(DISTRICTS), n)],
        "age_band": np.array(AGES)[rng.choice(len(AGES), n, p=age_p)],
        "sex": np.where(rng.random(n) < 0.6, "F", "M"),
        "base_weight": 1.0,
    })
    for j in range(N_QUESTIONS):
        if j % 3 == 2:
            levels = np.array(["a", "b", "c", "d"][: 3 + j % 2], dtype=object)
            values = levels[rng.integers(0, len(levels), n)]
        else:
            values = (rng.random(n) < rng.uniform(0.1, 0.6)).astype(float)
        values = pd.Series(values)
        values[rng.random(n) < 0.03] = None
        df[f"q{j + 1:02d}"] = values
    return df


def time_python(df, margins):
    """Time raking and the 60 tables in this process; return times and tables."""
    design0 = Design.from_frame(df, weights="base_weight")
    t0 = time.perf_counter()
    result = rake(df, margins, design0, epsilon=EPSILON, max_iter=MAX_ITER,
                  criterion="change")
    t1 = time.perf_counter()
    questions = [c for c in df.columns if c.startswith("q")]
    tables = {q: survey_mean(df, result.design, q, by="district") for q in questions}
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, tables, result


def time_r(df, margins, workdir):
    """Run R's survey on the same data; None when Rscript or survey is missing."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    probe = subprocess.run([rscript, "-e", "library(survey)"], capture_output=True)
    if probe.returncode != 0:
        return None
    data, marg, out, script = (workdir / f for f in
                               ("data.csv", "margins.csv", "check.csv", "bench.R"))
    df.to_csv(data, index=False, na_rep="NA")
    margins.to_csv(marg, index=False)
    script.write_text(R_SCRIPT % (MAX_ITER, EPSILON))
    run = subprocess.run([rscript, str(script), str(data), str(marg), str(out)],
                         capture_output=True, text=True, check=True)
    times = dict(line.split() for line in run.stdout.splitlines() if line[:1].isupper())
    return float(times["RAKE"]), float(times["TABLES"]), pd.read_csv(out)


def compare_with_r(tables, check):
    """Largest relative difference between R's and our estimates and SEs."""
    worst = 0.0
    for row in check.itertuples():
        table = tables[row.question]
        table = table[table["district"] == row.district]
        if "category" in table:
            table = table[table["category"] == row.stat[len(row.question):]]
        if table.empty:
            raise RuntimeError(f"no row for {row}")
        ours = table.iloc[0]
        for a, b in ((ours.estimate, row.estimate), (ours.se, row.se)):
            worst = max(worst, abs(a - b) / abs(b))
    return worst


def main():
    """Run the benchmark and print (and, in full mode, record) the results."""
    load_before = os.getloadavg()[0]
    rng = np.random.default_rng(SEED)
    margins = make_population(rng)
    df = make_respondents(rng, N)
    print(f"{N:,} respondents, {N_QUESTIONS} questions by {len(DISTRICTS)} districts "
          f"({'quick' if QUICK else 'full'} mode, {os.cpu_count()} cores)")
    time_python(df.iloc[:2000].reset_index(drop=True), margins)  # warm caches, imports
    runs = [time_python(df, margins) for _ in range(3)]
    rake_s = float(np.median([r[0] for r in runs]))
    tables_s = float(np.median([r[1] for r in runs]))
    tables, result = runs[0][2], runs[0][3]
    print(f"python: raking {rake_s:.3f} s ({result.iterations} passes), "
          f"60 tables {tables_s:.3f} s (median of 3)")
    lines = {"rake": None, "tables": None, "diff": None}
    with tempfile.TemporaryDirectory() as tmp:
        r = time_r(df, margins, Path(tmp))
    if r is None:
        print("R baseline skipped: Rscript or the survey package is not installed")
    else:
        r_rake, r_tables, check = r
        lines = {"rake": r_rake / rake_s, "tables": r_tables / tables_s,
                 "diff": compare_with_r(tables, check)}
        print(f"R survey: raking {r_rake:.3f} s, 60 tables {r_tables:.3f} s")
        print(f"ratio R/python raking: {lines['rake']:.1f}x")
        print(f"ratio R/python tables: {lines['tables']:.1f}x")
        print(f"largest relative difference with R (estimates, SEs): {lines['diff']:.2e}")
    ok_rake = rake_s < TARGETS["rake_s"]
    ok_tables = tables_s < TARGETS["tables_s"]
    print(f"targets: raking < 1 s {'OK' if ok_rake else 'MISSED'}, "
          f"tables < 10 s {'OK' if ok_tables else 'MISSED'}")
    if not QUICK:
        write_results(rake_s, tables_s, result.iterations, r, lines,
                      (load_before, os.getloadavg()[0]))


def write_results(rake_s, tables_s, passes, r, ratios, load):
    """Record the measured numbers in bench/RESULTS_weighting.md."""
    r_rake = f"{r[0]:.2f} s" if r else "skipped (no R)"
    r_tables = f"{r[1]:.2f} s" if r else "skipped (no R)"
    ratio_rake = f"{ratios['rake']:.0f}x" if r else "-"
    ratio_tables = f"{ratios['tables']:.0f}x" if r else "-"
    text = f"""# Weighting and estimation benchmark

`bench/bench_weighting.py`, run on {datetime.date.today().isoformat()}, machine: \
{os.cpu_count()} cores ({platform.machine()}, Python {platform.python_version()}, \
numpy {np.__version__}, pandas {pd.__version__}).

{N:,} synthetic respondents; raking on 3 margins (8 districts, 6 age bands, 2 sexes) to
a relative tolerance of {EPSILON:g} ({passes} passes); then {N_QUESTIONS} closed
questions (binary and 3-4 levels, 3% missing) by district with calibration-aware
linearised standard errors. Python times are the median of 3 runs in one process; R
times come from `proc.time()` around `rake()` and the 60 `svyby(..., svymean)` calls
in one `Rscript` run on the same data (CSV reading not timed).

| step | Python (analysis) | R survey | R / Python | target |
|---|---|---|---|---|
| raking | {rake_s:.3f} s | {r_rake} | {ratio_rake} | < 1 s, >= 10x |
| 60 tables by district with SEs | {tables_s:.3f} s | {r_tables} | {ratio_tables} | < 10 s, >= 10x |

Largest relative difference between R's and our estimates and standard errors on the
tables R wrote back (first and last question): \
{'%.1e' % ratios['diff'] if r else 'n/a'}.

One-minute load average at the start and end of the run: {load[0]:.1f} and \
{load[1]:.1f} (other jobs may share the cores; both sides run under the same load).
"""
    (ROOT / "bench" / "RESULTS_weighting.md").write_text(text)
    print("wrote bench/RESULTS_weighting.md")


if __name__ == "__main__":
    main()
