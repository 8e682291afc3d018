"""Choosing the language: the user's saved choice, else the one picked before signing in, else Accept-Language."""

from __future__ import annotations

from flask import current_app, g, has_request_context, request, session
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    user = g.get("_login_user") or (current_user if current_user else None)
    if user is not None and getattr(user, "is_authenticated", False) and user.locale in languages:
        return user.locale
    if session.get("locale") in languages:
        return session["locale"]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
