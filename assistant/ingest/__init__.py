"""Turning files and records into cleaned documents and chunks."""
