"""The printable return and its PDF (issue 15): readable values beside last year's, the status, a summary of its
submissions and reviews and the library's name in the reader's language; refused exactly as the return page is."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from association.extensions import db
from association.libraries.models import MemberLibrary
from association.returns.models import AnnualReturn, ReturnForm, ReturnStatus
from association.users.models import Role
from tests.conftest import csrf_token_from, login
from tests.factories import make_user
from tests.querycount import count_queries
from tests.returns.test_api import GOOD
from tests.returns.test_views import form_data, signed_in

# The reader's language → what the printout must say in it: NU's name, a boolean, a choice's label, "not available",
# the accepted status, the history lines' verbs.
READABLE = {
    "en": ("Nazarbayev University Library", "Yes", "KABIS", "Not available", "Accepted", "Submitted on",
           "Returned on", "Accepted on", "350,000"),
    "ru": ("Библиотека Назарбаев Университета", "Да", "КАБИС", "Нет данных", "Принято", "Сдан ", "Возвращён на исправление",
           "Принят ", "350\N{NO-BREAK SPACE}000"),
    "kk": ("Назарбаев Университетінің кітапханасы", "Иә", "КАБИС", "Дерек жоқ", "Қабылданды", "тапсырды", "түзетуге қайтарды",
           "қабылдады", "350\N{NO-BREAK SPACE}000"),
}
VALUES = {**GOOD, "lms_type": "kabis", "users_active__na": "y"}


def _accepted_last_year(app, values: dict) -> None:
    """NU's 2023 return, accepted: the printout shows its values beside this year's."""
    with app.app_context():
        library_id = db.session.scalar(sa.select(MemberLibrary.id).where(MemberLibrary.code == "NU"))
        form_id = db.session.scalar(sa.select(ReturnForm.id).where(ReturnForm.year == 2023)
                                    .order_by(ReturnForm.revision.desc()).limit(1))
        at = datetime(2024, 2, 10, 6, tzinfo=UTC)
        db.session.add(AnnualReturn(library_id=library_id, year=2023, form_id=form_id, status=ReturnStatus.ACCEPTED,
                                    values=values, submitted_at=at, first_submitted_at=at, accepted_at=at))
        db.session.commit()


def _reviewed_return(app, client) -> tuple:
    """NU's 2024 return submitted, returned with a comment, submitted again and accepted; answers (rep, coordinator)."""
    rep = make_user(app, Role.LIBRARY_REP, library="NU")
    login(client, rep.email, rep.password)
    page = client.get("/libraries/NU/returns/2024").get_data(as_text=True)
    assert client.post("/libraries/NU/returns/2024", data=form_data(page, VALUES, "submit")).status_code == 302
    coordinator = make_user(app, Role.COORDINATOR)
    staff = app.test_client()
    login(staff, coordinator.email, coordinator.password)

    def review(action, comment):
        token = csrf_token_from(staff.get("/libraries/NU/returns/2024").get_data(as_text=True))
        response = staff.post("/libraries/NU/returns/2024/review",
                              data={"csrf_token": token, "action": action, "comment": comment})
        assert response.status_code == 302

    review("return", "Check the loans figure, please")
    page = client.get("/libraries/NU/returns/2024").get_data(as_text=True)
    assert client.post("/libraries/NU/returns/2024", data=form_data(page, VALUES, "submit")).status_code == 302
    review("accept", "")
    return rep, coordinator


def _texts(html: str, css_id: str, end: str = "</section>") -> str:
    """The text of the element with `css_id` (up to `end`), its spaces collapsed (no-break spaces kept)."""
    part = html.split(f'id="{css_id}"', 1)[1].split(end, 1)[0]
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", part))


def _row(html: str, code: str) -> str:
    return _texts(html, f"printed-field-{code}", "</tr>")


@pytest.mark.parametrize("locale", ["en", "ru", "kk"])
def test_the_printable_return_reads_in_the_readers_language(app, client, locale):
    _accepted_last_year(app, {**GOOD, "collection_print_items": 340000, "has_repository": False})
    _reviewed_return(app, client)
    reader = app.test_client()
    signed_in(app, reader, Role.OBSERVER, locale=locale)
    response = reader.get("/libraries/NU/returns/2024/print")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    name, yes, kabis, not_available, accepted, submitted_on, returned_on, accepted_on, items = READABLE[locale]
    assert name in _texts(html, "library-name", "</p>")
    assert accepted in _texts(html, "printed-status", "</dl>")
    assert yes in _row(html, "has_repository")
    assert kabis in _row(html, "lms_type")
    assert not_available in _row(html, "users_active")
    assert items in _row(html, "collection_print_items")
    assert ("340,000" if locale == "en" else "340\N{NO-BREAK SPACE}000") in _row(
        html, "collection_print_items")  # last year's accepted value beside this year's
    history = _texts(html, "printed-history")
    assert history.count(submitted_on) == 2 and returned_on in history and accepted_on in history
    assert "«Check the loans figure, please»" in history
    assert not {">True<", ">False<", ">kabis<", ">NA<"} & set(re.findall(r">[^<]*<", html))
    assert 'href="/static/print.css"' in html and 'media="print"' in html
    assert 'href="/libraries/NU/returns/2024/print.pdf"' in html


def test_the_return_page_links_to_its_printable_version_and_its_pdf(app, client):
    signed_in(app, client, Role.LIBRARY_REP, library="NU")
    html = client.get("/libraries/NU/returns/2024").get_data(as_text=True)
    links = html.split('id="print-links"', 1)[1].split("</p>", 1)[0]
    assert 'href="/libraries/NU/returns/2024/print"' in links and 'href="/libraries/NU/returns/2024/print.pdf"' in links


def test_a_return_not_started_prints_its_empty_fields_and_status(app, client):
    signed_in(app, client, Role.LIBRARY_REP, library="NU", locale="ru")
    html = client.get("/libraries/NU/returns/2024/print").get_data(as_text=True)
    assert "Не начат" in _texts(html, "printed-status", "</dl>") and "Ещё не сдан." in _texts(html, "printed-history")
    assert "—" in _row(html, "students_fte")


@pytest.mark.parametrize("locale", ["ru", "kk", "en"])
def test_the_pdf_is_the_printable_return_with_its_language_in_the_file_name(app, client, locale):
    _reviewed_return(app, client)
    reader = app.test_client()
    signed_in(app, reader, Role.COORDINATOR, locale=locale)
    response = reader.get("/libraries/NU/returns/2024/print.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == f'attachment; filename="return-NU-2024-{locale}.pdf"'
    pdf = PdfReader(io.BytesIO(response.data))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pdf.pages))
    name, yes, kabis, not_available, accepted, _submitted_on, returned_on, accepted_on, items = READABLE[locale]
    for expected in (name, kabis, not_available, accepted, returned_on, accepted_on, "Check the loans figure"):
        assert expected in text, expected
    assert items.replace("\N{NO-BREAK SPACE}", " ") in text.replace("\N{NO-BREAK SPACE}", " ")


def test_the_pdf_repeats_its_table_headers_and_never_splits_a_row(app, client):
    """The rules that keep a long section readable across pages are in the document WeasyPrint lays out."""
    signed_in(app, client, Role.LIBRARY_REP, library="NU")
    with app.test_request_context():
        from flask import render_template

        from association.returns.printout import PrintedReturn

        html = render_template("returns/print_pdf.html", printed=PrintedReturn(
            library_code="NU", library_name="x", university="y", year=2024, title="t", language="en",
            status="draft", late=False, due_on=date(2025, 2, 15), submitted_at=None, accepted_at=None,
            review_comment=""))
    assert "thead { display: table-header-group; }" in html and "tr { break-inside: avoid;" in html
    response = client.get("/libraries/NU/returns/2024/print.pdf")
    pages = [page.extract_text().splitlines() for page in PdfReader(io.BytesIO(response.data)).pages]
    titles = {"Institutional context", "Premises and equipment", "Collections", "Users and use",
              "Electronic resources", "Staff", "Finance", "Automation and technology", "Submissions and reviews"}
    assert len(pages) > 1
    # A page after the first starts with a section's title or with the table header repeated above its rows.
    assert all(lines[0] == "Field Value Unit" or lines[0] in titles for lines in pages[1:])
    assert sum(lines[0] == "Field Value Unit" for lines in pages[1:]) >= 1


@pytest.mark.parametrize("path", ["/print", "/print.pdf"])
def test_the_printout_is_refused_as_the_return_page_is(app, client, path):
    rep_other = make_user(app, Role.LIBRARY_REP, library="ENU")
    member = make_user(app, committees=[("REG", False)])
    for account in (rep_other, member):
        other = app.test_client()
        login(other, account.email, account.password)
        page = other.get("/libraries/NU/returns/2024")
        printed = other.get(f"/libraries/NU/returns/2024{path}")
        assert printed.status_code == page.status_code == 403
        assert "Nazarbayev" not in printed.get_data(as_text=True)
    signed_in(app, client, Role.COORDINATOR)
    assert client.get(f"/libraries/NOPE/returns/2024{path}").status_code == 404
    assert client.get(f"/libraries/NU/returns/1990{path}").status_code == \
        client.get("/libraries/NU/returns/1990").status_code == 404
    anonymous = app.test_client().get(f"/libraries/NU/returns/2024{path}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_the_printable_return_reads_in_a_fixed_number_of_queries(app, client):
    _reviewed_return(app, client)
    counts = []
    for _ in range(2):
        with count_queries(app) as statements:
            assert client.get("/libraries/NU/returns/2024/print").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 15
