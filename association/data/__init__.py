"""Portable dumps of the whole database, to back up or to move a deployment from SQLite to PostgreSQL."""
