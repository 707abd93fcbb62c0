"""Tests of analysis.priorities."""
