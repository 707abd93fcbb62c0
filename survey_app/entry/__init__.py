"""Paper questionnaires: the printable form, keyboard entry by agents, double entry and reconciliation."""
