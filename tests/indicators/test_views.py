"""The indicator pages and downloads: what each role sees, sorting, filtering, shading, CSV, XLSX and the PDF."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from association.users.models import Role
from tests.conftest import login
from tests.factories import make_user
from tests.indicators.conftest import BASE_VALUES
from tests.indicators.test_api import BAND_PEERS, LOANS


@pytest.fixture
def world(app, add_return):
    for code, students in BAND_PEERS.items():
        add_return(code, 2024, {**BASE_VALUES, "students_fte": students, "loans_total": LOANS[code]})
        add_return(code, 2023, {**BASE_VALUES, "students_fte": students, "loans_total": LOANS[code] // 2})
    add_return("KATU", 2024, {**BASE_VALUES, "students_fte": 1500, "users_registered": "NA"})


def signed_in(app, client, *roles, **kwargs):
    account = make_user(app, *roles, **kwargs)
    login(client, account.email, account.password)
    return client


def test_a_rep_sees_how_their_library_compares_and_no_other_name(app, client, world):
    signed_in(app, client, Role.LIBRARY_REP, library="NU")
    page = client.get("/libraries/NU")
    assert "/libraries/NU/compare" in page.get_data(as_text=True)
    response = client.get("/libraries/NU/compare?year=2024")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert html.count('class="library-mark"') >= 12  # a box plot with the library marked, per indicator
    assert "The numbers" in html and "6" in html  # NU's loans per user
    assert all(code not in html for code in ("ENU", "AITU", "AMU", "MNU"))
    assert client.get("/libraries/ENU/compare").status_code == 403
    assert client.get("/indicators/table").status_code == 403
    assert client.get("/libraries/NU/compare?group=nonsense").status_code == 422


def test_the_coordinators_table_sorts_filters_and_shades_by_quartile(app, client, world):
    signed_in(app, client, Role.COORDINATOR)
    html = client.get("/indicators/table?year=2024&sort=loans_per_user&order=desc").get_data(as_text=True)
    order = [html.index(f'>{code}</a>') for code in ("AMU", "NU", "AITU", "ENU", "MNU")]
    assert order == sorted(order)
    assert html.index(">KATU</a>") > order[-1]  # unavailable values last
    assert 'data-quartile="4"' in html and 'data-quartile="1"' in html
    filtered = client.get("/indicators/table?year=2024&group=size:under_2000").get_data(as_text=True)
    assert ">KATU</a>" in filtered and ">NU</a>" not in filtered
    assert client.get("/indicators/table?group=size:huge").status_code == 422


def test_csv_and_xlsx_downloads(app, client, world):
    signed_in(app, client, Role.OBSERVER)
    text = client.get("/indicators/table.csv?year=2024").get_data(as_text=True).lstrip("\ufeff")
    rows = {row["library"]: row for row in csv.DictReader(io.StringIO(text))}
    assert float(rows["NU"]["loans_per_user"]) == pytest.approx(6)
    assert rows["KATU"]["loans_per_user"] == ""  # unavailable: empty, never 0
    book = load_workbook(io.BytesIO(client.get("/indicators/table.xlsx?year=2024").data))
    assert {"Indicators", "Distribution", "Charts"} <= set(book.sheetnames)
    sheet = book["Indicators"]
    header = [cell.value for cell in sheet[1]]
    nu = next(row for row in sheet.iter_rows(min_row=3, values_only=True) if row[1] == "NU")
    assert nu[header.index("loans_per_user")] == pytest.approx(6)
    assert book["Charts"]._charts  # native charts
    assert client.get("/indicators/table.csv?group=999999").status_code == 422


def test_the_benchmark_profile_pdf_is_one_page_in_the_readers_language(app, client, world):
    signed_in(app, client, Role.LIBRARY_REP, library="NU", locale="ru")
    response = client.get("/libraries/NU/compare.pdf?year=2024")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Книговыдача" in text and "Доля сотрудников" in text
    assert "ENU" not in text


def test_the_indicator_pages(app, client, world):
    signed_in(app, client, Role.COMMITTEE_MEMBER, committees=[("REG", False)])
    listing = client.get("/indicators").get_data(as_text=True)
    assert "/indicators/loans_per_user" in listing and "/indicators/table" not in listing
    html = client.get("/indicators/loans_per_user").get_data(as_text=True)
    assert "loans_total" in html and "users_registered" in html and "ISO 11620" in html
    assert "2024" in html and "2023" in html and "<svg" in html
    assert all(code not in html for code in BAND_PEERS)
    assert client.get("/indicators/nothing").status_code == 404
    assert 'href="/indicators"' in client.get("/").get_data(as_text=True)


def test_page_query_counts_do_not_grow_with_the_libraries(app, client, world, add_return):
    from tests.querycount import count_queries

    signed_in(app, client, Role.COORDINATOR)
    urls = ("/indicators/table?year=2024", "/libraries/NU/compare?year=2024", "/indicators/loans_per_user")

    def counts() -> list[int]:
        found = []
        for url in urls:
            client.get(url)
            with count_queries(app) as statements:
                assert client.get(url).status_code == 200
            found.append(len(statements))
        return found

    few = counts()
    for code in ("KIMEP", "ALMAU", "ATU", "SDU", "ETU", "KBTU"):
        add_return(code, 2024, BASE_VALUES)
    assert counts() == few


def test_peer_groups_saved_and_deleted_from_the_page(app, client, world):
    from tests.conftest import csrf_token_from

    signed_in(app, client, Role.LIBRARY_REP, library="NU")
    token = csrf_token_from(client.get("/peer-groups").get_data(as_text=True))
    refused = client.post("/peer-groups", data={"name": "Friends", "libraries": "ENU, NOPE", "csrf_token": token})
    assert refused.status_code == 422
    assert "NOPE" in refused.get_data(as_text=True) and 'class="errors"' in refused.get_data(as_text=True)
    empty = client.post("/peer-groups", data={"name": "", "libraries": "", "csrf_token": token})
    assert empty.status_code == 422
    saved = client.post("/peer-groups", data={"name": "Friends", "libraries": "ENU, aitu AMU MNU NU",
                                               "csrf_token": token})
    assert saved.status_code == 302
    page = client.get("/peer-groups").get_data(as_text=True)
    assert "Friends" in page and "AITU, AMU, ENU, MNU, NU" in page
    group_id = int(page.split('/peer-groups/')[1].split('/delete')[0])
    compare = client.get(f"/libraries/NU/compare?year=2024&group={group_id}")
    assert compare.status_code == 200 and "Friends" in compare.get_data(as_text=True)
    assert "ENU" not in compare.get_data(as_text=True).replace("Friends", "")

    other = app.test_client()
    signed_in(app, other, Role.LIBRARY_REP, library="ENU")
    other_token = csrf_token_from(other.get("/peer-groups").get_data(as_text=True))
    assert "Friends" not in other.get("/peer-groups").get_data(as_text=True)
    assert other.post(f"/peer-groups/{group_id}/delete", data={"csrf_token": other_token}).status_code == 404
    assert client.post(f"/peer-groups/{group_id}/delete", data={"csrf_token": token}).status_code == 302
    assert "Friends" not in client.get("/peer-groups").get_data(as_text=True)
