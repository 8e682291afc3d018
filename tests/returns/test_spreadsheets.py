"""The return as a spreadsheet: download the template, fill it in, upload, preview, confirm."""

import io
import json
import re
import time
import zipfile
from html import unescape

import pytest
from flask_babel import force_locale
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


NBSP, NNBSP = "\u00a0", "\u202f"
LANGUAGES = ("kk", "ru", "en")


def previewed(response):
    """The values the preview would save (its hidden `values`), after a 200."""
    html = response.get_data(as_text=True)
    assert response.status_code == 200, re.findall(r'<li>.*?</li>|class="errors"[^<]*<', html)
    return json.loads(unescape(re.search(r'name="values" type="hidden" value="([^"]*)"', html).group(1)))


def filled_cells(workbook, cells):
    """The template with `cells` ({code: value or (value, number_format)}) typed into the Value column as given."""
    sheet = workbook.worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value in cells:
            value = cells[row[0].value]
            value, number_format = value if isinstance(value, tuple) else (value, None)
            row[7].value = value
            if isinstance(value, str):
                row[7].data_type = "s"
            if number_format:
                row[7].number_format = number_format
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_template_is_in_the_users_language(app, client, language):
    signed_in_rep(app, client, locale=language)
    page = client.get("/libraries/NU/returns/2024").get_data(as_text=True)
    client.post("/libraries/NU/returns/2024", data={**hidden_fields(page, "/libraries/NU/returns/2024"),
                                                    "action": "save", "has_repository": "yes", "lms_type": "kabis",
                                                    "visits_virtual__na": "y"})
    workbook = template(client)
    sheet = workbook.worksheets[0]
    words = {"kk": ("Жылдық есеп", "Өріс", "Бүтін сан", "Иә", "Жоқ", "Дерек жоқ", "Түсініктеме"),
             "ru": ("Годовой отчёт", "Поле", "Целое число", "Да", "Нет", "Нет данных", "Пояснение"),
             "en": ("Annual return", "Field", "Whole number", "Yes", "No", "Not available", "Help")}[language]
    title, field_header, whole, yes, no, not_available, help_header = words
    assert sheet.title == title and sheet["C1"].value == field_header and sheet["I1"].value == help_header
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    with app.test_request_context(), force_locale(language):
        from association.returns.formcache import definition_of
        from association.returns.operations import form_for_year

        form = form_for_year(2024)
        staff = next(f for f in definition_of(form).fields if f.code == "staff_total")
        assert rows["staff_total"][2].value == staff.labels[language]
        assert rows["staff_total"][8].value == staff.helps[language]  # the help, in the language
    types = {row[4].value for row in rows.values()}
    assert whole == rows["staff_total"][4].value and not {"integer", "decimal", "boolean", "choice", "text"} & types
    assert rows["staff_total"][5].value == yes  # required
    assert (rows["has_repository"][7].value, rows["lms_type"][7].value) == (yes, "КАБИС" if language != "en" else "KABIS")
    assert rows["visits_virtual"][7].value == not_available
    lists = workbook["lists"]
    assert lists.sheet_state == "hidden"

    def offered(code):
        cell = rows[code][7].coordinate
        validation = next(v for v in sheet.data_validations.dataValidation if cell in v.sqref)
        column, first, last = re.fullmatch(r"'?lists'?!\$([A-Z]+)\$(\d+):\$[A-Z]+\$(\d+)", validation.formula1).groups()
        return [lists[f"{column}{n}"].value for n in range(int(first), int(last) + 1)]

    assert offered("has_repository") == [yes, no]
    assert offered("lms_type")[:2] == (["IRBIS", "KABIS"] if language == "en" else ["ИРБИС", "КАБИС"])
    # What the template offers reads back: the file as downloaded changes nothing, and every option is accepted.
    csrf = csrf_token_from(client.get("/libraries/NU/returns/2024").get_data(as_text=True))
    unchanged = upload(client, csrf, filled_cells(template(client), {}))
    assert 'name="values" type="hidden" value="{}"' in unchanged.get_data(as_text=True)
    with app.test_request_context(), force_locale(language):
        lms = next(f for f in definition_of(form_for_year(2024)).fields if f.code == "lms_type")
        codes = [choice["code"] for choice in lms.choices]
    for label, code in zip(offered("lms_type"), codes, strict=True):
        assert previewed(upload(client, csrf, filled_cells(template(client), {"lms_type": label}))).get("lms_type", "kabis") == code, label
    assert previewed(upload(client, csrf, filled_cells(template(client), {"has_repository": no}))) == {
        "has_repository": False}


# Each upload types several forms at once; together they are every accepted form of the issue.
FORGIVING = [
    ({"lms_type": "KABIS", "has_repository": "no", "ecatalogue_share_percent": "95%",
      "visits_physical": "1 234 567", "area_total_m2": "1 234,5", "visits_virtual": "NA"},
     {"lms_type": "kabis", "has_repository": False, "ecatalogue_share_percent": 95, "visits_physical": 1234567,
      "area_total_m2": 1234.5, "visits_virtual": "NA"}),
    ({"lms_type": "kabis", "has_repository": "TRUE", "ecatalogue_share_percent": "95 %",
      "visits_physical": f"1{NBSP}234{NBSP}567", "area_total_m2": f"3{NNBSP}200,5", "visits_virtual": "Дерек жоқ"},
     {"lms_type": "kabis", "has_repository": True, "ecatalogue_share_percent": 95, "visits_physical": 1234567,
      "area_total_m2": 3200.5, "visits_virtual": "NA"}),
    ({"lms_type": " ирбис ", "has_repository": "Иә", "ecatalogue_share_percent": 95,
      "visits_physical": f"1{NNBSP}234{NNBSP}567", "visits_virtual": "нет данных", "has_rfid": "Жоқ"},
     {"lms_type": "irbis", "has_repository": True, "ecatalogue_share_percent": 95, "visits_physical": 1234567,
      "visits_virtual": "NA", "has_rfid": False}),
    ({"lms_type": "КАБИС", "has_repository": "Да", "ecatalogue_share_percent": (0.95, "0%"), "has_rfid": "НЕТ",
      "has_discovery": "1", "has_remote_access": 0, "union_catalogue_member": "false", "open_access_policy": "yes"},
     {"lms_type": "kabis", "has_repository": True, "ecatalogue_share_percent": 95, "has_rfid": False,
      "has_discovery": True, "has_remote_access": False, "union_catalogue_member": False,
      "open_access_policy": True}),
]


@pytest.mark.parametrize(("typed", "read"), FORGIVING)
def test_the_upload_reads_what_people_type(app, client, typed, read):
    csrf = signed_in_rep(app, client)
    values = previewed(upload(client, csrf, filled_cells(template(client), {**GOOD, **typed})))
    assert {code: values[code] for code in read} == read
    assert stored(app) is None  # a preview saves nothing


def test_forgiving_values_are_saved_on_confirmation(app, client):
    csrf = signed_in_rep(app, client, locale="ru")
    typed, read = FORGIVING[1]
    response = upload(client, csrf, filled_cells(template(client), {**GOOD, **typed}))
    html = response.get_data(as_text=True)
    assert "<td>Да</td>" in html and "<td>Нет данных</td>" in html  # the preview reads in words, not True / NA
    confirm = client.post("/libraries/NU/returns/2024/upload/confirm",
                          data={**hidden_fields(html, "/libraries/NU/returns/2024/upload/confirm")})
    assert confirm.status_code == 302
    assert {code: stored(app).values[code] for code in read} == read


@pytest.mark.parametrize(("language", "texts"), [
    ("en", ["Cell H{staff}: “thirty-four” cannot be read; expected a whole number",
            "Cell H{repository}: “maybe” cannot be read; expected one of: Yes, No.",
            "expected one of: IRBIS, KABIS, Koha", "Cell H{print}: this field cannot be marked as not available.",
            "Cell H{share}: “about half” cannot be read; expected a percentage"]),
    ("kk", ["H{staff} ұяшығы: «thirty-four» мәні танылмады; күтілетіні — бүтін сан",
            "H{repository} ұяшығы: «maybe» мәні танылмады; күтілетіні — мыналардың бірі: Иә, Жоқ.",
            "мыналардың бірі: ИРБИС, КАБИС, Koha", "H{print} ұяшығы: бұл өрісті «дерек жоқ» деп белгілеуге болмайды.",
            "күтілетіні — пайыз"]),
    ("ru", ["Ячейка H{staff}: значение «thirty-four» не распознано; ожидается целое число",
            "Ячейка H{repository}: значение «maybe» не распознано; ожидается одно из: Да, Нет.",
            "одно из: ИРБИС, КАБИС, Koha", "Ячейка H{print}: это поле нельзя отметить как «нет данных».",
            "ожидается процент"]),
])
def test_unreadable_cells_are_named_with_the_field_and_what_is_expected(app, client, language, texts):
    csrf = signed_in_rep(app, client, locale=language)
    workbook = template(client)
    rows = {row[0].value: row[0].row for row in workbook.worksheets[0].iter_rows(min_row=2)}
    bad = {"staff_total": "thirty-four", "has_repository": "maybe", "lms_type": "Windows",
           "collection_print_items": "NA", "ecatalogue_share_percent": "about half"}
    response = upload(client, csrf, filled_cells(workbook, {**GOOD, **bad}))
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    with app.test_request_context(), force_locale(language):
        from association.returns.formcache import definition_of
        from association.returns.operations import form_for_year

        labels = {f.code: f.labels[language] for f in definition_of(form_for_year(2024)).fields}
    for code in bad:  # each beside its field's label, in the language
        assert re.search(rf"<li><strong>{re.escape(labels[code])}</strong> \({code}\): [^<]*H{rows[code]}\b", html), code
    for text in texts:
        assert text.format(staff=rows["staff_total"], repository=rows["has_repository"],
                           print=rows["collection_print_items"], share=rows["ecatalogue_share_percent"]) in html
    assert stored(app) is None
    assert "Windows" in html and "12,5" not in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_fraction_in_a_whole_number_cell_is_refused(app, client, language):
    csrf = signed_in_rep(app, client, locale=language)
    response = upload(client, csrf, filled_cells(template(client), {**GOOD, "staff_total": "12,5"}))
    assert response.status_code == 422 and "12,5" in unescape(response.get_data(as_text=True))
    assert stored(app) is None


def test_a_template_downloaded_before_it_was_translated_still_reads(app, client):
    csrf = signed_in_rep(app, client)
    workbook = template(client)
    workbook.worksheets[0].title = "Return"
    meta = workbook["meta"]
    for row in meta.iter_rows():
        if row[0].value == "sheet":
            row[0].value = row[1].value = None
    assert previewed(upload(client, csrf, filled_cells(workbook, {"staff_total": "34"}))) == {"staff_total": 34}


@pytest.mark.parametrize(("language", "yes", "kabis", "not_available"), [("kk", "Иә", "КАБИС", "Дерек жоқ"),
                                                                         ("ru", "Да", "КАБИС", "Нет данных"),
                                                                         ("en", "Yes", "KABIS", "Not available")])
def test_last_years_values_read_in_words_and_text_stays_text(app, language, yes, kabis, not_available):
    from association.returns.operations import form_for_year
    from association.returns.spreadsheets import build_template

    previous = {"lms_name": "=HYPERLINK(1)", "has_repository": True, "lms_type": "kabis", "visits_virtual": "NA",
                "visits_physical": 1234567}
    with app.test_request_context(), force_locale(language):
        data = build_template(form_for_year(2024), "NU", {}, previous)
    rows = {row[0].value: row for row in load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(min_row=2)}
    assert (rows["lms_name"][6].value, rows["lms_name"][6].data_type) == ("=HYPERLINK(1)", "s")
    assert [rows[code][6].value for code in ("has_repository", "lms_type", "visits_virtual", "visits_physical")] == [
        yes, kabis, not_available, 1234567]  # a number stays a number cell


def test_who_may_not_fill_the_return_is_refused_before_the_file_is_read(app, client):
    csrf = signed_in_rep(app, client)
    bad = filled_cells(template(client), {**GOOD, "staff_total": "thirty-four"})
    observer = make_user(app, Role.OBSERVER)
    reader = app.test_client()
    login(reader, observer.email, observer.password)
    csrf = csrf_token_from(reader.get("/libraries/NU/returns/2024").get_data(as_text=True))
    response = upload(reader, csrf, bad)
    assert response.status_code == 403
    assert "thirty-four" not in unescape(response.get_data(as_text=True))
    assert stored(app) is None
