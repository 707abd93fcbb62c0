"""Fixtures shared by the analysis tests."""
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SHARED_TESTDATA = PROJECT_ROOT.parent / "shared" / "testdata"
REFERENCE_DIR = PROJECT_ROOT / "tests" / "reference"


@pytest.fixture(scope="session")
def r_survey_dir():
    """Folder of R's survey data sets as CSV; skip visibly when absent (fresh clone)."""
    folder = SHARED_TESTDATA / "r_survey"
    if not folder.is_dir():
        pytest.skip(f"shared test data not found at {folder} (present in CI)")
    return folder


@pytest.fixture(scope="session")
def reference_dir():
    """Folder of the R scripts and the figures they produced."""
    return REFERENCE_DIR
