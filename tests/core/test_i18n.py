"""Kazakh, Russian and English: complete catalogues, Accept-Language first, then the user's choice."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from association.users.models import Role
from tests.conftest import csrf_token_from, login
from tests.factories import make_user

TRANSLATIONS = Path(__file__).resolve().parents[2] / "association" / "translations"


def catalogue_messages(path: Path):
    with path.open("rb") as handle:
        return [message for message in read_po(handle) if message.id]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Path:
    """The messages of the code as it is now (the committed messages.pot could be stale), as `make
    extract-messages` finds them (macros in templates/_macros included)."""
    from babel.messages.frontend import CommandLineInterface

    target = tmp_path_factory.mktemp("messages") / "messages.pot"
    root = TRANSLATIONS.parents[1]
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(root / "babel.cfg"), "-k", "_l", "-k",
                                "lazy_gettext", "--no-location", "--ignore-dirs", ".* venv", "-o", str(target), str(root)])
    return target


@pytest.mark.parametrize("locale", ["kk", "ru"])
def test_every_message_is_translated(locale, extracted):
    template_ids = {message.id if isinstance(message.id, str) else message.id[0]
                    for message in catalogue_messages(extracted)}
    assert "Previous" in template_ids and len(template_ids) > 400  # the extraction found the macros and the rest
    messages = catalogue_messages(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po")
    translated = {message.id if isinstance(message.id, str) else message.id[0]
                  for message in messages
                  if (all(message.string) if isinstance(message.string, tuple) else message.string)
                  and not message.fuzzy}
    assert template_ids - translated == set()


def test_accept_language_chooses_the_first_page_language(client):
    html = client.get("/login", headers={"Accept-Language": "ru-RU,ru;q=0.9"}).get_data(as_text=True)
    assert 'lang="ru"' in html and "Войти" in html
    html = client.get("/login", headers={"Accept-Language": "kk"}).get_data(as_text=True)
    assert 'lang="kk"' in html and "Кіру" in html
    html = client.get("/login", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert 'lang="en"' in html and "Sign in" in html


def test_the_language_switch_works_before_signing_in(client):
    csrf = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/language", data={"locale": "kk", "next": "/login", "csrf_token": csrf})
    html = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="kk"' in html


def test_the_users_choice_wins_over_accept_language(app, client):
    account = make_user(app, Role.OBSERVER, locale="ru")
    login(client, account.email, account.password)
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="ru"' in html


def test_kazakh_and_russian_text_round_trips_exactly(app, client):
    from association.extensions import db
    from association.users.models import User
    from tests.conftest import api_token

    account = make_user(app, Role.OBSERVER)
    with app.app_context():
        db.session.get(User, account.id).name = "Әйгерім Сәтбаева — Айгерим Сатпаева"
        db.session.commit()
    me = client.get("/api/v1/me", headers=api_token(client, account.email, account.password)).get_json()
    assert me["name"] == "Әйгерім Сәтбаева — Айгерим Сатпаева"


def test_numbers_are_written_the_users_way(app):
    from flask_babel import force_locale

    from association.core.templating import format_number

    with app.test_request_context():
        with force_locale("en"):
            assert format_number(1234567) == "1,234,567"
        with force_locale("ru"):
            assert format_number(1234567).replace("\xa0", " ") == "1 234 567"
        assert format_number(True) is True and format_number("NA") == "NA"
