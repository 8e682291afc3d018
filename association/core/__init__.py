"""Pieces every domain package shares: the model base, errors, permissions, languages, security headers."""
