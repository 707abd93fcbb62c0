"""The coordinator's campaigns: districts, margins, members, questionnaires, links, demo."""
