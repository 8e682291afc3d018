"""Every export parsed back: CSV with the csv module, XLSX with openpyxl, the PDF's text with pypdf."""

import csv
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from association.extensions import db
from association.libraries.models import MemberLibrary
from association.progress.queries import programme_summary
from association.roadmap.models import RoadmapTask, TaskStatus
from association.users.models import Role
from tests.conftest import api_token, headers_for
from tests.factories import make_user
from tests.libraries.test_figures import build_fixture
from tests.returns.test_api import GOOD

PROGRESS_COLUMNS = ["task_code", "task_title", "committee_code", "due_date", "status", "progress_percent", "overdue",
                    "last_update_at", "last_comment"]



def read_csv(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.DictReader(io.StringIO(text)))


def read_xlsx(response):
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return load_workbook(io.BytesIO(response.data))


@pytest.fixture
def figures(app):
    with app.app_context():
        build_fixture()
        task = db.session.scalars(sa.select(RoadmapTask).where(RoadmapTask.code == "2.1")).one()
        from association.roadmap.models import TaskHistory

        db.session.add(TaskHistory(task_id=task.id, to_status=TaskStatus.IN_PROGRESS, progress_percent=30,
                                   comment="=HYPERLINK(\"http://evil\")"))
        db.session.commit()
        return programme_summary()


def test_progress_csv_columns_and_figures(app, client, figures):
    headers = headers_for(app, client, Role.OBSERVER)
    response = client.get("/api/v1/exports/progress?format=csv", headers=headers)
    assert response.headers["Content-Disposition"] == 'attachment; filename="progress-en.csv"'
    rows = read_csv(response)
    assert all(column in rows[0] for column in PROGRESS_COLUMNS)
    assert len(rows) == figures.tasks["total"]
    done = sum(1 for row in rows if row["status"] == "done")
    assert done == figures.tasks["by_status"]["done"]
    assert sum(1 for row in rows if row["overdue"] == "true") == figures.tasks["overdue"]
    injected = next(row for row in rows if row["task_code"] == "2.1")
    assert injected["last_comment"] == "'=HYPERLINK(\"http://evil\")"  # made inert


def test_progress_csv_filters_and_file_name(app, client, figures):
    headers = headers_for(app, client, Role.COORDINATOR)
    response = client.get("/api/v1/exports/progress?format=csv&year=2022&committee=REG", headers=headers)
    assert 'filename="progress-2022-REG-' in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert {row["task_code"] for row in rows} == {"1.1"}


def test_progress_xlsx_sheets_charts_and_the_dashboards_numbers(app, client, figures):
    headers = headers_for(app, client, Role.COORDINATOR)
    book = read_xlsx(client.get("/api/v1/exports/progress?format=xlsx", headers=headers))
    assert book.sheetnames == ["Summary", "Tasks", "Libraries", "Annual returns"]
    summary = book["Summary"]
    values = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row[0]}
    assert values["Roadmap tasks"] == figures.tasks["total"]
    assert values["Done, %"] == pytest.approx(figures.tasks["progress_percent"] / 100)
    assert len(summary._charts) == 2  # native Excel charts
    tasks = book["Tasks"]
    header = [cell.value for cell in tasks[1]]
    assert header[:3] == ["Code", "Task", "Committee"]  # headed in the reader's language (English here)
    assert tasks.freeze_panes == "A2" and tasks.auto_filter.ref
    rows = {row[0]: dict(zip(header, row, strict=False)) for row in tasks.iter_rows(min_row=2, values_only=True)}
    assert rows["2.1"]["Last comment"] == "=HYPERLINK(\"http://evil\")"
    cell = next(r for r in tasks.iter_rows(min_row=2) if r[0].value == "2.1")[header.index("Last comment")]
    assert cell.data_type == "s"  # a string cell, never a formula
    assert rows["1.1"]["Due date"].year == 2022  # dates as dates
    libraries = {row[0]: row for row in book["Libraries"].iter_rows(min_row=2, values_only=True)}
    expected = {item["code"]: item["overall_percent"] for item in figures.libraries}
    assert libraries["NU"][9] == pytest.approx(expected["NU"] / 100)
    returns = [row for row in book["Annual returns"].iter_rows(min_row=2, values_only=True)]
    assert ("2024" in {str(r[0]) for r in returns}) and any(r[1] == "ENU" and r[2] == "Accepted" and r[3] == "accepted" for r in returns)


def test_progress_pdf_text(app, client, figures):
    headers = headers_for(app, client, Role.OBSERVER)
    response = client.get("/api/v1/exports/progress?format=pdf", headers={**headers, "Accept-Language": "kk"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "ЖОО кітапханалары қауымдастығы" in text and "Тапсырылды" in text  # Kazakh letters survive
    assert f"{figures.tasks['progress_percent']}%" in text  # Kazakh writes the percent sign without a space
    assert "1.1" in text


def test_returns_export_rows_and_columns(app, client, figures):
    rep_account = make_user(app, Role.LIBRARY_REP, library="NU")
    rep = api_token(client, rep_account.email, rep_account.password)
    with app.app_context():
        nu = db.session.scalar(sa.select(MemberLibrary.id).where(MemberLibrary.code == "NU"))
    client.put(f"/api/v1/libraries/{nu}/returns/2023", json={"values": {**GOOD, "lms_name": "@SUM(A1)"}}, headers=rep)
    coordinator = headers_for(app, client, Role.COORDINATOR)
    rows = read_csv(client.get("/api/v1/exports/returns?format=csv&year=2023", headers=coordinator))
    assert list(rows[0])[:4] == ["library_code", "library_name", "status", "submitted_at"]
    assert "staff_trained" in rows[0] and "warnings" in rows[0]
    assert len(rows) == 28
    nu_row = next(row for row in rows if row["library_code"] == "NU")
    assert (nu_row["status"], nu_row["staff_total"], nu_row["lms_name"]) == ("draft", "34", "'@SUM(A1)")
    assert next(row for row in rows if row["library_code"] == "ENU")["status"] == "not_started"
    book = read_xlsx(client.get("/api/v1/exports/returns?format=xlsx&year=2023", headers=coordinator))
    sheet = book["Annual returns"]
    assert sheet["A1"].value == "Library" and sheet["A2"].value == "library_code"  # a second header row of codes
    assert sheet.freeze_panes == "A3"
    # the representative gets only their own library's row; a committee member no returns at all
    own = read_csv(client.get("/api/v1/exports/returns?format=csv&year=2023", headers=rep))
    assert [row["library_code"] for row in own] == ["NU"]
    member = headers_for(app, client, committees=[("REG", False)])
    assert client.get("/api/v1/exports/returns?format=csv", headers=member).status_code == 403


def test_library_progress_matrix(app, client, figures):
    headers = headers_for(app, client, Role.OBSERVER)
    rows = read_csv(client.get("/api/v1/exports/library-progress?format=csv", headers=headers))
    assert len(rows) == 28
    nu = next(row for row in rows if row["library_code"] == "NU")
    assert (nu["1.5"], nu["3.4"], nu["5.11"], nu["overall_percent"]) == ("done", "not_applicable", "not_started", "22")
    book = read_xlsx(client.get("/api/v1/exports/library-progress?format=xlsx", headers=headers))
    assert book["Library progress"]["D2"].value == "1.5" and book["Library progress"]["D1"].value.startswith("1.5 ")


def test_scopes_of_committee_members_and_representatives(app, client, figures):
    member = headers_for(app, client, committees=[("REG", False)])
    rows = read_csv(client.get("/api/v1/exports/progress?format=csv", headers=member))
    assert {row["committee_code"] for row in rows} == {"REG"}
    matrix = read_csv(client.get("/api/v1/exports/library-progress?format=csv", headers=member))
    assert [c for c in matrix[0] if "." in c] == ["1.5", "1.5_label"]  # only their committee's measure
    rep = headers_for(app, client, Role.LIBRARY_REP, library="ENU")
    book = read_xlsx(client.get("/api/v1/exports/progress?format=xlsx", headers=rep))
    assert [row[0] for row in book["Libraries"].iter_rows(min_row=2, values_only=True)] == ["ENU"]


def test_anonymous_and_bad_parameters(client, app):
    assert client.get("/api/v1/exports/progress?format=csv").status_code == 401
    headers = headers_for(app, client, Role.OBSERVER)
    assert client.get("/api/v1/exports/progress?format=doc", headers=headers).status_code == 422
    assert client.get("/api/v1/exports/returns?format=pdf", headers=headers).status_code == 422
    assert client.get("/api/v1/exports/progress?year=20", headers=headers).status_code == 422


def test_exports_are_audited(app, client):
    from association.audit.models import AuditEvent

    headers = headers_for(app, client, Role.OBSERVER)
    client.get("/api/v1/exports/progress?format=csv&year=2023", headers=headers)
    with app.app_context():
        event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export")).one()
        assert event.object_type == "progress" and "year=2023" in event.detail


def test_cli_export(app, tmp_path, figures):
    runner = app.test_cli_runner()
    for kind, extension in (("progress", "xlsx"), ("returns", "csv"), ("library-progress", "xlsx"), ("progress", "pdf")):
        output = tmp_path / f"{kind}.{extension}"
        result = runner.invoke(args=["export", kind, "--format", extension, "--output", str(output)])
        assert result.exit_code == 0, result.output
        assert output.stat().st_size > 0
    assert load_workbook(tmp_path / "progress.xlsx").sheetnames == ["Summary", "Tasks", "Libraries", "Annual returns"]
    refused = runner.invoke(args=["export", "returns", "--format", "pdf", "--output", str(tmp_path / "x.pdf")])
    assert refused.exit_code != 0


def test_exports_page(app, client):
    from tests.conftest import login

    account = make_user(app, Role.LIBRARY_REP, library="NU")
    login(client, account.email, account.password)
    html = client.get("/exports").get_data(as_text=True)
    assert "/api/v1/exports/progress" in html and "only your own library" in html


def test_empty_filters_from_the_exports_form_mean_all(app, client):
    headers = headers_for(app, client, Role.OBSERVER)
    rows = read_csv(client.get("/api/v1/exports/progress?format=csv&year=&committee=", headers=headers))
    assert len(rows) == 35
