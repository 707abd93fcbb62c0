"""Findings: the responses as one tidy frame, weights, indicator tables, themes."""
