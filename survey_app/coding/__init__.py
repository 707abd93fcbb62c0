"""Coding of free text: the campaign codebook, the coding screen, coded shares."""
