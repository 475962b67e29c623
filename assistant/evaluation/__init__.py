"""Offline evaluation: golden sets, deterministic metrics, side-by-side configurations, reports."""
