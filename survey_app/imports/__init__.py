"""Imports of responses collected elsewhere (KoboToolbox, ODK Central)."""
