"""Candidate priorities of a campaign: the coordinator's workspace, its exports, and what the report reads."""
