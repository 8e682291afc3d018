"""The WSGI entry point for gunicorn: `gunicorn wsgi:app` (ASSOCIATION_ENV defaults to production)."""

from association import create_app

app = create_app()
