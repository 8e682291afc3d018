"""Uploaded files (evidence, meeting materials, document versions): checked by content, stored outside the database."""
