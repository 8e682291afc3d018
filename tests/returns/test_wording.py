"""A return sent back reads with one word in each language: its status, the coordinator's button, the flash, the
history, the reminder and the e-mail all say "correction" the same way (issue 15: in the users' language)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _

RETURNED = ["Returned for correction", "Return for correction", "returned for correction",
            "returned by the coordinator for correction",
            "Annual return %(year)s of %(library)s: returned for correction"]
WORD = {"ru": ("исправлени", "доработ"), "kk": ("түзетуге", "пысықта")}


@pytest.mark.parametrize("locale", ["ru", "kk"])
def test_returned_for_correction_is_said_one_way(app, locale):
    word, other = WORD[locale]
    with app.test_request_context(), force_locale(locale):
        texts = [_(text) for text in RETURNED]
    assert all(word in text.lower() and other not in text.lower() for text in texts), texts
