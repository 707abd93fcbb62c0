"""Census margins and survey weights of a campaign: the coordinator's pages and their services."""
