"""Accounts and administration: login, logout, users and roles."""
