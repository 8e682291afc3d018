"""Exports: progress summaries (CSV, XLSX with charts, PDF), returns and library progress, for download and CLI."""
