"""Exports for people: the XLSX and the PDF headed and labelled in the reader's language (codes in columns of their
own), the CSV with its code headers and label columns beside, file names that say year, committee and language,
PDF tables that repeat their header on each page and never split a row."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from association.extensions import db
from association.libraries.models import MemberLibrary
from association.users.models import Role
from tests.conftest import api_token, headers_for, login
from tests.exports.test_exports import figures, read_csv, read_xlsx  # noqa: F401  (the figures fixture)
from tests.factories import make_user
from tests.returns.test_api import GOOD


def get(client, path, headers, language):
    return client.get(path, headers={**headers, "Accept-Language": language})


@pytest.mark.parametrize(("language", "code_header", "status", "region", "kind", "yes"), [
    ("ru", "Код", "В работе", "Астана", "Автономная организация образования", "Нет"),
    ("kk", "Код", "Орындалуда", "Астана", "Дербес білім беру ұйымы", "Жоқ"),
])
def test_the_progress_xlsx_reads_in_the_readers_language_with_the_codes_beside(app, client, figures, language,  # noqa: F811
                                                                               code_header, status, region, kind, yes):
    headers = headers_for(app, client, Role.COORDINATOR)
    response = get(client, "/api/v1/exports/progress?format=xlsx&year=2022&committee=REG", headers, language)
    assert response.headers["Content-Disposition"] == f'attachment; filename="progress-2022-REG-{language}.xlsx"'
    book = read_xlsx(get(client, "/api/v1/exports/progress?format=xlsx", headers, language))
    tasks = book["Tasks"]
    header = [cell.value for cell in tasks[1]]
    assert header[0] == code_header and "task_code" not in header
    rows = {row[0]: dict(zip(header, row, strict=False)) for row in tasks.iter_rows(min_row=2, values_only=True)}
    status_column, code_column = header[6], header[7]
    assert (rows["2.1"][status_column], rows["2.1"][code_column]) == (status, "in_progress")
    assert rows["1.1"][header[9]] in {"Иә", "Жоқ", "Да", "Нет"} and yes in {row[header[9]] for row in rows.values()}
    libraries = book["Libraries"]
    lib_header = [cell.value for cell in libraries[1]]
    nu = dict(zip(lib_header, next(r for r in libraries.iter_rows(min_row=2, values_only=True) if r[0] == "NU"),
                  strict=False))
    assert nu[lib_header[2]] == region and nu[lib_header[3]] == "AST"  # the region by name, its code beside
    assert nu[lib_header[5]] == kind and nu[lib_header[6]] == "autonomous"
    returns = book["Annual returns"]
    statuses = {(row[1], row[3]): row[2] for row in returns.iter_rows(min_row=2, values_only=True)}
    assert statuses[("ENU", "accepted")] in {"Қабылданды", "Принят", "Принято"}


def test_the_progress_csv_keeps_the_code_headers_and_adds_labels(app, client, figures):  # noqa: F811
    headers = headers_for(app, client, Role.OBSERVER)
    response = get(client, "/api/v1/exports/progress?format=csv", headers, "ru")
    assert response.headers["Content-Disposition"] == 'attachment; filename="progress-ru.csv"'
    rows = read_csv(response)
    columns = list(rows[0])
    for column in ("task_code", "task_title", "committee_code", "due_date", "status", "progress_percent", "overdue",
                   "last_update_at", "last_comment"):
        assert column in columns
    assert columns.index("status_label") == columns.index("status") + 1
    row = next(r for r in rows if r["task_code"] == "2.1")
    assert (row["status"], row["status_label"], row["overdue"] in ("true", "false")) == ("in_progress", "В работе", True)


def test_the_returns_xlsx_shows_labels_yes_no_and_not_available(app, client):
    rep_account = make_user(app, Role.LIBRARY_REP, library="NU")
    rep = api_token(client, rep_account.email, rep_account.password)
    with app.app_context():
        nu = db.session.scalar(sa.select(MemberLibrary.id).where(MemberLibrary.code == "NU"))
    values = {**GOOD, "lms_type": "kabis", "has_repository": True, "visits_virtual": "NA", "visits_physical": 1234567}
    assert client.put(f"/api/v1/libraries/{nu}/returns/2024", json={"values": values}, headers=rep).status_code == 200
    coordinator = headers_for(app, client, Role.COORDINATOR)
    response = get(client, "/api/v1/exports/returns?format=xlsx&year=2024", coordinator, "ru")
    assert response.headers["Content-Disposition"] == 'attachment; filename="returns-2024-ru.xlsx"'
    sheet = read_xlsx(response)["Annual returns"]
    labels, codes = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    assert labels[:4] == ["Библиотека", "Название библиотеки", "Статус", "Код статуса"]
    row = dict(zip(codes, next(r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0] == "NU"), strict=False))
    assert (row["status_label"], row["status"]) == ("Черновик", "draft")
    assert (row["lms_type_label"], row["lms_type"]) == ("КАБИС", "kabis")  # the label, and the code in its own column
    assert row["has_repository"] == "Да" and row["visits_virtual"] == "Нет данных"
    assert row["visits_physical"] == 1234567  # a number stays a number, grouped by the cell's format
    cell = next(r for r in sheet.iter_rows(min_row=3) if r[0].value == "NU")[codes.index("visits_physical")]
    assert cell.number_format == "#,##0.##"

    rows = read_csv(get(client, "/api/v1/exports/returns?format=csv&year=2024", coordinator, "kk"))
    assert list(rows[0])[:4] == ["library_code", "library_name", "status", "submitted_at"]
    nu_row = next(r for r in rows if r["library_code"] == "NU")
    assert (nu_row["lms_type"], nu_row["lms_type_label"], nu_row["has_repository"]) == ("kabis", "КАБИС", "true")
    assert (nu_row["visits_virtual"], nu_row["status_label"]) == ("NA", "Жоба")


def test_the_library_progress_xlsx_labels_the_statuses(app, client, figures):  # noqa: F811
    headers = headers_for(app, client, Role.OBSERVER)
    sheet = read_xlsx(get(client, "/api/v1/exports/library-progress?format=xlsx", headers, "ru"))["Library progress"]
    codes = [c.value for c in sheet[2]]
    nu = dict(zip(codes, next(r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0] == "NU"), strict=False))
    assert (nu["1.5"], nu["3.4"]) == ("Выполнена", "Неприменимо")
    rows = read_csv(get(client, "/api/v1/exports/library-progress?format=csv", headers, "ru"))
    nu_row = next(r for r in rows if r["library_code"] == "NU")
    assert (nu_row["1.5"], nu_row["1.5_label"]) == ("done", "Выполнена")


def test_pdf_tables_repeat_their_header_and_never_split_a_row(app, client, figures):  # noqa: F811
    headers = headers_for(app, client, Role.OBSERVER)
    response = get(client, "/api/v1/exports/progress?format=pdf", headers, "en")
    pages = [page.extract_text().splitlines() for page in PdfReader(io.BytesIO(response.data)).pages]
    header = "Code Task Due Status Overdue Progress"
    assert len(pages) > 3
    # A committee's table that runs onto the next page starts that page with its header row again.
    continued = [lines for lines in pages[2:] if lines and lines[0] == header]
    assert continued, "a task table should run over a page break for this test to mean anything"
    # No row is split: from its code to its last cell (the progress, "…%"), every row is on one page.
    # (In the overdue table, after its heading, a row's last cell is the due date: "… 2023".)
    rows, last_cell = 0, r"\d+%$"
    for lines in pages:
        starts = [index for index, line in enumerate(lines) if re.match(r"^\d\.\d+ \D", line)]
        if "Overdue tasks" in lines[:starts[0] if starts else len(lines)]:  # the heading opens a page
            last_cell = r"(19|20)\d\d$"
        for number, start in enumerate(starts):
            end = starts[number + 1] if number + 1 < len(starts) else len(lines)
            segment = lines[start:end]
            if "Overdue tasks" in segment:
                segment = segment[:segment.index("Overdue tasks")]
            assert any(re.search(last_cell, line) for line in segment), "\n".join(segment)
            rows += 1
            if "Overdue tasks" in lines[start:end]:
                last_cell = r"(19|20)\d\d$"
    assert last_cell != r"\d+%$" and rows >= 35 + 30  # every task's row and the overdue ones, each whole on its page
    text = "\n".join("\n".join(lines) for lines in pages)
    assert "15 December" in text and "Yes" in text  # dates spelled out, booleans in words


@pytest.mark.parametrize(("language", "yes", "no", "kabis", "not_available", "month"), [
    ("en", "Yes", "No", "KABIS", "Not available", "December"),
    ("kk", "Иә", "Жоқ", "КАБИС", "Дерек жоқ", "желтоқсан"),
    ("ru", "Да", "Нет", "КАБИС", "Нет данных", "декабря"),
])
def test_the_returns_xlsx_reads_as_the_return_page_in_each_language(app, client, language, yes, no, kabis,
                                                                     not_available, month):
    rep_account = make_user(app, Role.LIBRARY_REP, library="NU")
    rep = api_token(client, rep_account.email, rep_account.password)
    with app.app_context():
        nu = db.session.scalar(sa.select(MemberLibrary.id).where(MemberLibrary.code == "NU"))
    values = {**GOOD, "lms_type": "kabis", "has_repository": True, "has_rfid": False, "visits_virtual": "NA"}
    assert client.put(f"/api/v1/libraries/{nu}/returns/2024", json={"values": values}, headers=rep).status_code == 200
    submitted = client.post(f"/api/v1/libraries/{nu}/returns/2024/submit", json={}, headers=rep)
    assert submitted.status_code == 200, submitted.get_json()
    coordinator_account = make_user(app, Role.COORDINATOR, locale=language)
    coordinator = api_token(client, coordinator_account.email, coordinator_account.password)

    sheet = read_xlsx(get(client, "/api/v1/exports/returns?format=xlsx&year=2024", coordinator, language))["Annual returns"]
    codes = [c.value for c in sheet[2]]
    cells = next(r for r in sheet.iter_rows(min_row=3) if r[0].value == "NU")
    row = {code: cell.value for code, cell in zip(codes, cells, strict=False)}
    assert (row["has_repository"], row["has_rfid"], row["lms_type_label"]) == (yes, no, kabis)
    assert row["visits_virtual"] == not_available
    assert row["has_discovery"] is None and row["ecatalogue_share_percent"] is None  # empty cells, not "—"
    moment = cells[codes.index("submitted_at")]
    assert moment.is_date and moment.number_format == "d mmmm yyyy hh:mm"

    page_client = app.test_client()
    login(page_client, coordinator_account.email, coordinator_account.password)
    html = page_client.get("/libraries/NU/returns/2024").get_data(as_text=True)
    outputs = re.findall(r"<output>([^<]*)</output>", html)
    assert {yes, no, kabis, not_available, "—"} <= set(outputs)
    # The XLSX's date cell holds the moment on the app's clock, the one the page prints in words.
    assert moment.value.strftime("%H:%M") in html.split('id="history"')[1]
    assert month in html or month == "December"  # the due date, in words (15 February: no December in en)


@pytest.mark.parametrize(("language", "yes", "no", "month"), [("en", "Yes", "No", "December"),
                                                              ("kk", "Иә", "Жоқ", "желтоқсан"),
                                                              ("ru", "Да", "Нет", "декабря")])
def test_the_progress_pdf_spells_dates_and_booleans_in_each_language(app, client, figures, language, yes, no,  # noqa: F811
                                                                      month):
    headers = headers_for(app, client, Role.OBSERVER)
    report = get(client, "/api/v1/exports/progress?format=pdf", headers, language)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(report.data)).pages)
    assert re.search(rf"15\s+{month}", text) and yes in text and no in text  # a narrow cell may wrap the date
