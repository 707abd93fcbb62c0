"""Exports of a campaign's responses (CSV, XLSX, SPSS, Stata) and their data dictionary."""
