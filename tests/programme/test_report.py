"""The close-out report rendered and read back in three languages: the PDF's text (pypdf) and the XLSX's cells."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from association.extensions import db
from association.libraries.models import MemberLibrary
from association.roadmap.models import RoadmapTask
from association.users.models import Role
from tests.conftest import headers_for
from tests.programme.test_closeout import NEW, OLD, create_next, decide

HEADINGS = {"en": ("Close-out report", "Contents", "Carried over"),
            "ru": ("Отчёт о закрытии программы", "Содержание", "Перенесена"),
            "kk": ("Бағдарламаны жабу туралы есеп", "Мазмұны", "Көшірілді")}
ASSOCIATION = {"en": "Association", "ru": "Ассоциация", "kk": "қауымдастығы"}


@pytest.fixture
def closed(app, client):
    """The reference programme closed: 1.5 (a measure NU did) and 1.2 carried over, 1.3 cancelled, the rest done."""
    coordinator = headers_for(app, client, Role.COORDINATOR)
    rep = headers_for(app, client, Role.LIBRARY_REP, library="NU")
    with app.app_context():
        nu = db.session.scalar(sa.select(MemberLibrary.id).where(MemberLibrary.code == "NU"))
        measure = db.session.scalar(sa.select(RoadmapTask.id).where(RoadmapTask.code == "1.5"))
    assert client.put(f"/api/v1/libraries/{nu}/progress/{measure}", json={"status": "done"}, headers=rep).status_code == 200
    create_next(client, coordinator)
    client.post(f"/api/v1/programmes/{OLD}/start-closeout", headers=coordinator)
    client.post(f"/api/v1/programmes/{NEW}/activate", headers=coordinator)
    for row in client.get(f"/api/v1/programmes/{OLD}/closeout", headers=coordinator).get_json()["unfinished"]:
        code = row["task_code"]
        body = ({"action": "carry_over", "to_programme": NEW} if code in ("1.2", "1.5") else
                {"action": "cancel", "comment": "no longer needed"} if code == "1.3" else
                {"action": "done", "comment": "finished"})
        assert decide(client, coordinator, code, body).status_code == 200
    assert client.post(f"/api/v1/programmes/{OLD}/close", headers=coordinator).status_code == 200
    return coordinator


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_the_pdf_reads_as_the_report(client, closed, language):
    response = client.get(f"/api/v1/programmes/{OLD}/closeout-report?format=pdf",
                          headers={**closed, "Accept-Language": language})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) >= 3  # title page, contents, the sections
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    for heading in HEADINGS[language]:
        assert heading in text, heading
    assert ASSOCIATION[language] in reader.pages[0].extract_text()
    assert "2022–2024" in text and "2024" in text


@pytest.mark.parametrize("language", ["en", "ru", "kk"])
def test_the_xlsx_holds_the_figures(client, closed, language):
    response = client.get(f"/api/v1/programmes/{OLD}/closeout-report?format=xlsx",
                          headers={**closed, "Accept-Language": language})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Summary", "Tasks", "Indicators", "Measures", "Annual returns"]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert HEADINGS[language][0] == book["Summary"]["A1"].value
    assert any(ASSOCIATION[language] in str(value) for value in summary.values())
    assert 35 in summary.values()
    tasks = list(book["Tasks"].iter_rows(min_row=3, values_only=True))
    reg = [row for row in tasks if row[0] == 1 and row[1] == "REG"][0]
    assert reg[2:7] == (6, 3, 1, 2, 0)  # planned 6: done 1.1, 1.4, 1.6; cancelled 1.3; carried 1.2, 1.5
    assert sum(row[5] for row in tasks) == 2 and sum(row[2] for row in tasks) == 35
    measures = {row[0]: row for row in book["Measures"].iter_rows(min_row=3, values_only=True)}
    assert measures["1.5"][2] == 1 and measures["1.5"][3] == 28  # NU done, of 28 member libraries
    years = [row[0] for row in book["Annual returns"].iter_rows(min_row=3, values_only=True)]
    assert years == [2022, 2023, 2024]


def test_only_the_coordinator_observers_and_admins_read_it(app, client, closed):
    member = headers_for(app, client, committees=[("REG", False)])
    assert client.get(f"/api/v1/programmes/{OLD}/closeout-report", headers=member).status_code == 403
    assert client.get("/api/v1/programmes/NOPE/closeout-report", headers=closed).status_code == 404
