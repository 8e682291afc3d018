"""Indicators over the annual returns and peer benchmarking (ISO 11620, ACRL key ratios)."""
