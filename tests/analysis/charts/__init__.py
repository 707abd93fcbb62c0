"""Tests of analysis.charts."""
