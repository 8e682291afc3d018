"""The return as a spreadsheet: download the template, fill it in, upload, preview, confirm."""

import io
import json
import re

from openpyxl import Workbook, load_workbook

from association.users.models import Role
from tests.conftest import csrf_token_from, login
from tests.factories import make_user
from tests.forms import hidden_fields
from tests.returns.test_api import GOOD
from tests.returns.test_views import stored


def signed_in_rep(app, client, library="NU"):
    account = make_user(app, Role.LIBRARY_REP, library=library)
    login(client, account.email, account.password)
    return csrf_token_from(client.get(f"/libraries/{library}/returns/2024").get_data(as_text=True))


def template(client, library="NU"):
    response = client.get(f"/libraries/{library}/returns/2024/template.xlsx")
    assert response.status_code == 200
    assert re.match(rf'attachment; filename="return-{library}-2024-\d{{4}}-\d{{2}}-\d{{2}}\.xlsx"',
                    response.headers["Content-Disposition"])
    return load_workbook(io.BytesIO(response.data))


def filled(workbook, values):
    sheet = workbook["Return"]
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
    sheet = workbook["Return"]
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
    cell = next(row[7] for row in template(client)["Return"].iter_rows(min_row=2) if row[0].value == "lms_name")
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"
