"""Signing in: the login pages, password hashing, API tokens and the login throttle."""
