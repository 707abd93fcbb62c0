"""Cross-tables, tests of association, district comparisons and indicator tables.

Shares of the answers to a closed question within each group of a profile variable,
the Rao-Scott corrected chi-square test of association (R ``svychisq``), the
difference between each district (or any domain) and the rest of the town with a
Benjamini-Hochberg correction across many comparisons, and the indicator tables of the
diagnostic. Publication rules are applied here (:data:`PUBLICATION_RULE_FR`): a cell is
published only when at least ``min_cell`` (11) respondents have the attribute and 11 do
not, a cell that could be deduced from a published total is suppressed too, and an
estimate from fewer than ``fragile_below`` (30) respondents is flagged ``fragile``.

References
----------
Rao JNK, Scott AJ (1984). On chi-squared tests for multiway contingency tables with
cell proportions estimated from survey data. *Ann. Statist.* 12, 46-60.
Benjamini Y, Hochberg Y (1995). Controlling the false discovery rate. *JRSS B* 57,
289-300.
Lumley T (2010). *Complex Surveys: A Guide to Analysis Using R*. Wiley, section 6.1.
"""
from ._compare import benjamini_hochberg, compare_domains, compare_domains_many
from ._publication import (
    FRAGILE_BELOW,
    MIN_CELL,
    PUBLICATION_RULE_EN,
    PUBLICATION_RULE_FR,
    apply_publication_rules,
)
from ._rao_scott import RaoScottResult, rao_scott_test
from ._tables import TOWN, CrossTab, Indicator, crosstab, indicator_tables

__all__ = [
    "MIN_CELL", "FRAGILE_BELOW", "TOWN", "PUBLICATION_RULE_FR", "PUBLICATION_RULE_EN",
    "CrossTab", "RaoScottResult", "Indicator",
    "crosstab", "rao_scott_test", "compare_domains", "compare_domains_many", "benjamini_hochberg",
    "indicator_tables", "apply_publication_rules",
]
