"""Drafting: technology-need postings with supply–demand matching, and staff reports from platform records."""
