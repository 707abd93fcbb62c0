"""Empty answers are missing answers: the one rule applied wherever a frame enters analysis/.

Exports, spreadsheets and web forms write an unanswered question as ``""`` (or a few
spaces) where pandas expects a missing value. Left as text, ``""`` would become a
category of its own ("share of respondents who answered nothing"), a district, or
turn a numeric column into a text one. Every public function of :mod:`analysis` that
takes a DataFrame passes the columns it uses through :func:`blank_as_missing` first,
so that the result is the one the same data with ``NaN`` would give.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["blank_as_missing", "is_blank"]


def is_blank(series: pd.Series) -> np.ndarray:
    """Boolean mask of the values that are strings made only of white space (or empty)."""
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        blank_categories = [c for c in dtype.categories if isinstance(c, str) and not c.strip()]
        return series.isin(blank_categories).to_numpy() if blank_categories \
            else np.zeros(len(series), dtype=bool)
    if pd.api.types.is_string_dtype(dtype) and dtype != object:
        return series.str.strip().eq("").fillna(False).to_numpy(dtype=bool)
    if dtype != object:
        return np.zeros(len(series), dtype=bool)
    # each distinct value tested once: a survey column holds a few answers many times
    values = series.to_numpy(dtype=object)
    try:
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
    except TypeError:  # unhashable values (lists...): each one tested
        return np.fromiter((isinstance(v, str) and not v.strip() for v in values), dtype=bool,
                           count=len(values))
    blank = np.fromiter((isinstance(v, str) and not v.strip() for v in uniques), dtype=bool,
                        count=len(uniques))
    if not blank.any():
        return np.zeros(len(series), dtype=bool)
    return np.append(blank, False)[codes]


def blank_as_missing(df: pd.DataFrame, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """Return `df` with empty and whitespace-only strings replaced by missing values.

    Parameters
    ----------
    df : DataFrame
    columns : iterable of str, optional
        Columns to clean (default: all); names that are not columns are ignored.

    Returns
    -------
    DataFrame
        `df` itself when no value is blank, else a copy. An object column left with
        numbers only becomes numeric (``[1, "", 2]`` gives ``[1.0, NaN, 2.0]``, as
        ``[1, None, 2]`` would); a categorical column loses its blank categories.
        Values that are not blank are never changed.
    """
    names = df.columns if columns is None else \
        [c for c in dict.fromkeys(columns) if c is not None and c in df.columns]
    out = None
    for name in names:
        series = df[name]
        blank = is_blank(series)
        if not blank.any():
            continue
        if out is None:
            out = df.copy(deep=False)  # copy-on-write: the caller's frame is untouched
        if isinstance(series.dtype, pd.CategoricalDtype):
            empty = [c for c in series.dtype.categories if isinstance(c, str) and not c.strip()]
            out[name] = series.cat.remove_categories(empty)
        else:
            cleaned = series.mask(blank)
            if series.dtype == object and pd.api.types.infer_dtype(cleaned, skipna=True) in (
                    "integer", "floating", "mixed-integer-float"):
                cleaned = pd.to_numeric(cleaned)
            out[name] = cleaned
    return df if out is None else out
