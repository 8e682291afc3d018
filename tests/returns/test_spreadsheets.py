"""The return as a spreadsheet: download the template, fill it in, upload, preview, confirm."""

import io
import json
import re
import time
import zipfile

from openpyxl import Workbook, load_workbook

from association.users.models import Role
from tests.conftest import csrf_token_from, login
from tests.factories import make_user
from tests.forms import hidden_fields
from tests.returns.test_api import GOOD
from tests.returns.test_views import stored


def signed_in_rep(app, client, library="NU", locale=None):
    account = make_user(app, Role.LIBRARY_REP, library=library, locale=locale)
    login(client, account.email, account.password)
    return csrf_token_from(client.get(f"/libraries/{library}/returns/2024").get_data(as_text=True))


def template(client, library="NU"):
    response = client.get(f"/libraries/{library}/returns/2024/template.xlsx")
    assert response.status_code == 200
    assert re.match(rf'attachment; filename="return-{library}-2024-\d{{4}}-\d{{2}}-\d{{2}}\.xlsx"',
                    response.headers["Content-Disposition"])
    return load_workbook(io.BytesIO(response.data))


def filled(workbook, values):
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        code = row[0].value
        if code in values:
            value = values[code]
            row[7].value = {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def upload(client, csrf, data, library="NU"):
    return client.post(f"/libraries/{library}/returns/2024/upload",
                       data={"csrf_token": csrf, "file": (io.BytesIO(data), "return.xlsx")},
                       content_type="multipart/form-data")


def test_round_trip_with_preview_then_confirm(app, client):
    csrf = signed_in_rep(app, client)
    workbook = template(client)
    sheet = workbook.worksheets[0]
    codes = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert len(codes) == 53 and "staff_trained" in codes
    assert any(v.sqref and "H" in str(v.sqref) for v in sheet.data_validations.dataValidation)  # lists for choices
    response = upload(client, csrf, filled(workbook, {**GOOD, "staff_trained": 99}))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "What the spreadsheet would change" in html
    assert "Staff who completed advanced training cannot exceed total library staff." in html
    assert stored(app) is None  # a dry run: nothing saved yet
    values = json.loads(re.search(r'name="values" type="hidden" value="([^"]*)"', html).group(1).replace("&#34;", '"'))
    assert values["staff_trained"] == 99
    confirm = client.post("/libraries/NU/returns/2024/upload/confirm",
                          data={**hidden_fields(html, "/libraries/NU/returns/2024/upload/confirm"),
                                "values": json.dumps(values)})
    assert confirm.status_code == 302
    assert stored(app).values["staff_trained"] == 99 and stored(app).values["has_repository"] is True


def test_wrong_types_in_the_sheet_are_refused_naming_the_field(app, client):
    csrf = signed_in_rep(app, client)
    response = upload(client, csrf, filled(template(client), {**GOOD, "staff_total": "thirty-four"}))
    assert response.status_code == 422
    assert "staff_total" in response.get_data(as_text=True)
    assert stored(app) is None


def test_foreign_broken_and_oversized_files_are_refused(app, client):
    csrf = signed_in_rep(app, client)
    foreign = io.BytesIO()
    Workbook().save(foreign)
    cases = [
        (foreign.getvalue(), "not an annual-return template"),
        (b"PK\x03\x04 this is not really a zip", "cannot be read"),
        (b"%PDF-1.7 a pdf renamed to .xlsx", "not an XLSX spreadsheet"),
        (b"PK\x03\x04" + b"0" * (5 * 1024 * 1024 + 10), "larger than 5 MB"),
    ]
    for data, message in cases:
        response = upload(client, csrf, data)
        assert response.status_code in (400, 413), message
        assert message in response.get_data(as_text=True), message
    huge = upload(client, csrf, b"PK\x03\x04" + b"0" * (7 * 1024 * 1024))
    assert huge.status_code == 413
    assert stored(app) is None


def test_another_librarys_template_is_refused(app, client):
    csrf = signed_in_rep(app, client, "ENU")
    other = app.test_client()
    signed_in_rep(app, other, "NU")
    nu_template = filled(template(other, "NU"), GOOD)
    response = upload(client, csrf, nu_template, library="ENU")
    assert response.status_code == 400
    assert "This template is for NU" in response.get_data(as_text=True)


def test_formula_looking_text_stays_text(app, client):
    signed_in_rep(app, client)
    page = client.get("/libraries/NU/returns/2024").get_data(as_text=True)
    client.post("/libraries/NU/returns/2024", data={**hidden_fields(page, "/libraries/NU/returns/2024"),
                                                    "action": "save", "lms_name": "=HYPERLINK(1)"})
    cell = next(row[7] for row in template(client).worksheets[0].iter_rows(min_row=2) if row[0].value == "lms_name")
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"


def crafted(template_bytes: bytes, sheet_rows: int, row: bytes = b"<row/>", shared_strings: int = 0) -> bytes:
    """The downloaded template with its Return sheet replaced by one without <dimension> and `sheet_rows` rows,
    written in pieces so that the test itself stays small."""
    source = zipfile.ZipFile(io.BytesIO(template_bytes))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for member in source.infolist():
            if member.filename == "xl/worksheets/sheet1.xml":
                with target.open(member.filename, "w") as sheet:
                    sheet.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                                b'spreadsheetml/2006/main"><sheetData>')
                    chunk = row * 10_000
                    for _ in range(sheet_rows // 10_000):
                        sheet.write(chunk)
                    sheet.write(b"</sheetData></worksheet>")
            elif member.filename != "xl/sharedStrings.xml":
                target.writestr(member, source.read(member.filename))
        if shared_strings:
            target.writestr("xl/sharedStrings.xml", b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                            b'2006/main">' + b"<si><t>x</t></si>" * shared_strings + b"</sst>")
    return output.getvalue()


def test_a_sheet_of_millions_of_rows_without_dimension_is_refused_quickly(app, client):
    csrf = signed_in_rep(app, client)
    original = client.get("/libraries/NU/returns/2024/template.xlsx").data
    bomb = crafted(original, 3_000_000, row=b'<row><c t="inlineStr"><is><t>x</t></is></c></row>')
    assert len(bomb) < 1024 * 1024
    started = time.monotonic()
    response = upload(client, csrf, bomb)
    assert time.monotonic() - started < 2
    assert response.status_code == 400
    assert "too large once unpacked" in response.get_data(as_text=True), re.findall(r"flash-error[^<]*", response.get_data(as_text=True))
    assert stored(app) is None


def test_many_rows_within_the_unpacked_cap_stop_at_the_template_rows(app, client):
    csrf = signed_in_rep(app, client)
    original = client.get("/libraries/NU/returns/2024/template.xlsx").data
    long_sheet = crafted(original, 1_000_000)  # 6 MB of empty rows: under the cap, read only as far as needed
    started = time.monotonic()
    response = upload(client, csrf, long_sheet)
    assert time.monotonic() - started < 2
    assert response.status_code == 200
    with_values = crafted(original, 10_000, row=b'<row><c t="inlineStr"><is><t>x</t></is></c></row>')
    response = upload(client, csrf, with_values)
    assert response.status_code == 400, re.findall(r"<(?:h1|h2|p)[^>]*>[^<]*", response.get_data(as_text=True))
    assert "more rows than the template" in response.get_data(as_text=True), re.findall(r"flash-error[^<]*", response.get_data(as_text=True))
    assert stored(app) is None


def test_too_many_shared_strings_or_members_are_refused(app, client):
    csrf = signed_in_rep(app, client)
    original = client.get("/libraries/NU/returns/2024/template.xlsx").data
    response = upload(client, csrf, crafted(original, 10_000, shared_strings=30_000))
    assert response.status_code == 400 and "too large once unpacked" in response.get_data(as_text=True)
    crowded = io.BytesIO()
    with zipfile.ZipFile(crowded, "w") as target:
        source = zipfile.ZipFile(io.BytesIO(original))
        for member in source.infolist():
            target.writestr(member, source.read(member.filename))
        for number in range(200):
            target.writestr(f"xl/extra{number}.xml", b"<x/>")
    response = upload(client, csrf, crowded.getvalue())
    assert response.status_code == 400 and "too large once unpacked" in response.get_data(as_text=True)
