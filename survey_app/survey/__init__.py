"""The resident survey: the public questionnaire on a phone, drafts, resume codes."""
