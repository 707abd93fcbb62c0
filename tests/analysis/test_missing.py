"""Empty answers are missing answers (``analysis._missing``), whatever the column holds."""
import numpy as np
import pandas as pd

from analysis._missing import blank_as_missing, is_blank  # no public name: the rule every public function applies


def test_blank_strings_are_found_among_mixed_values():
    series = pd.Series(["a", "", "  ", None, np.nan, 3, "b", "\t", 0, "a"], dtype=object)
    assert is_blank(series).tolist() == [False, True, True, False, False, False, False, True, False, False]
    assert not is_blank(pd.Series(["x", 1, None], dtype=object)).any()
    assert is_blank(pd.Series([], dtype=object)).tolist() == []


def test_unhashable_values_are_tested_one_by_one():
    assert is_blank(pd.Series([[1], "", " x", {"a": 1}], dtype=object)).tolist() == [False, True, False, False]


def test_blank_as_missing_keeps_the_other_values():
    frame = pd.DataFrame({"q": ["1", "", "2", " "], "n": [1, "", 2, None]})
    out = blank_as_missing(frame)
    assert out["q"].tolist()[0::2] == ["1", "2"] and out["q"].isna().tolist() == [False, True, False, True]
    assert out["n"].dtype == np.float64 and out["n"].isna().tolist() == [False, True, False, True]
