"""Property tests of weighting and estimation (hypothesis).

Raked weights reproduce every margin, estimates do not depend on the order of the
rows, and a census category without respondent is always a clear error.
"""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from analysis.crosstab import rao_scott_test
from analysis.estimation import survey_mean, survey_proportion
from analysis.weighting import Design, EmptyCategoryError, post_stratify, rake

FAST = settings(max_examples=50, deadline=None)


@st.composite
def surveys(draw):
    """A sample with 2-3 weighting variables and margins that a weighting can reach."""
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.integers(30, 300))
    n_vars = draw(st.integers(2, 3))
    sizes = [draw(st.integers(2, 5)) for _ in range(n_vars)]
    rng = np.random.default_rng(seed)
    data = {}
    for v, k in enumerate(sizes):
        values = np.concatenate([np.arange(k), rng.integers(0, k, n - k)])
        data[f"v{v}"] = np.array([f"c{i}" for i in range(k)])[rng.permutation(values)]
    df = pd.DataFrame(data)
    df["y"] = rng.integers(0, 2, n)
    df["answer"] = np.array(["a", "b", "c"])[rng.integers(0, 3, n)]
    # Margins are weighted counts under some positive weights: a solution exists.
    truth = rng.uniform(0.2, 5.0, n) * 100
    rows = [(var, cat, truth[df[var].to_numpy() == cat].sum())
            for var in data for cat in sorted(df[var].unique())]
    margins = pd.DataFrame(rows, columns=["variable", "category", "count"])
    return df, margins, rng.permutation(n)


@FAST
@given(surveys())
def test_raked_weights_reproduce_every_margin(case):
    df, margins, _ = case
    result = rake(df, margins, epsilon=1e-9, max_iter=5000)
    assert result.converged
    w = result.weights
    for row in margins.itertuples():
        assert w[df[row.variable] == row.category].sum() == pytest.approx(
            row.count, rel=1e-6)
    assert np.all(w > 0)


@FAST
@given(surveys())
def test_estimates_do_not_depend_on_row_order(case):
    df, margins, order = case
    shuffled = df.iloc[order].reset_index(drop=True)
    results = []
    for frame in (df, shuffled):
        design = rake(frame, margins, epsilon=1e-10, max_iter=5000).design
        mean = survey_mean(frame, design, "answer", by="v0")
        prop = survey_proportion(frame, design, "y", by="v1", method="beta")
        test = rao_scott_test(frame, design, "answer", "v0")
        results.append((mean, prop, test))
    (m1, p1, t1), (m2, p2, t2) = results
    assert_allclose(m1[["estimate", "se"]], m2[["estimate", "se"]], rtol=1e-7, atol=1e-12)
    assert_allclose(p1[["estimate", "se", "ci_low", "ci_high"]],
                    p2[["estimate", "se", "ci_low", "ci_high"]], rtol=1e-7, atol=1e-12)
    assert (m1["n"] == m2["n"]).all()
    assert_allclose([t1.statistic, t1.p_value], [t2.statistic, t2.p_value], rtol=1e-6)


@FAST
@given(surveys(), st.floats(1.0, 1e4))
def test_empty_margin_category_is_a_clear_error(case, count):
    df, margins, _ = case
    var = margins["variable"].iloc[0]
    extra = pd.DataFrame({"variable": [var], "category": ["nobody"], "count": [count]})
    margins = pd.concat([margins, extra], ignore_index=True)
    with pytest.raises(EmptyCategoryError) as info:
        rake(df, margins, accept_nonconvergence=True)
    assert (info.value.variable, info.value.category) == (var, "nobody")
    assert "nobody" in str(info.value) and var in str(info.value)
    cells = pd.DataFrame({var: ["nobody"], "count": [count]})
    present = margins[margins.variable == var].rename(columns={"category": var})
    with pytest.raises(EmptyCategoryError):
        post_stratify(df, pd.concat([present[[var, "count"]], cells]), Design.from_frame(df))
