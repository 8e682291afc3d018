"""Choosing the language: the user's saved choice, else the one picked before signing in, else Accept-Language."""

from __future__ import annotations

from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale
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


def current_language() -> str:
    """"kk", "ru" or "en": the language being rendered (honours flask_babel.force_locale, used for e-mails).
    Our locales carry no territory, so the language code is the whole identifier (and far cheaper than str())."""
    locale = get_locale()
    return locale.language if locale is not None else "en"
