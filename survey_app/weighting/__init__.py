"""Census margins and survey weights of a campaign: the coordinator's pages and their services.

Other features ask :func:`current_weighting` which weights are in force and since when
(a table computed before that date is stale).
"""
from .services import CurrentWeighting, current_weighting

__all__ = ["CurrentWeighting", "current_weighting"]
