"""Analysis library of the CLS diagnostic: weighting, estimation, free text.

Pure library: pandas DataFrames in, result objects and DataFrames out. It never
imports Flask, the database or ``survey_app``, so it can be used from a notebook.
"""
