"""The export documents: the progress summary (CSV, XLSX with native charts, PDF), returns, library progress."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import gettext as _

from association.core import charts
from association.exports import rows
from association.exports.scope import ExportScope
from association.exports.writers import Workbook, stream_csv
from association.extensions import db
from association.libraries.models import MemberLibrary
from association.progress.queries import programme_summary, returns_completeness
from association.returns.models import ReturnForm
from association.roadmap.labels import STATUS_LABELS


def progress_csv(scope: ExportScope, year: int | None, committee: str | None) -> Iterator[str]:
    return stream_csv(rows.PROGRESS_COLUMNS, rows.task_rows(scope, year, committee))


def _completeness_rows(scope: ExportScope, year: int | None) -> Iterator[dict[str, Any]]:
    """Each active library's return status per year (only the scope's own library for a representative)."""
    years = [year] if year else list(db.session.scalars(sa.select(ReturnForm.year).distinct().order_by(ReturnForm.year)))
    own = None if scope.everything else db.session.scalar(
        sa.select(MemberLibrary.code).where(MemberLibrary.id == (scope.library_id or -1)))
    for year_ in years:
        for item in returns_completeness(year_).items:
            if scope.everything or item["library"] == own:
                yield {"year": year_, **item}


def progress_xlsx(scope: ExportScope, year: int | None, committee: str | None,
                  on_row=lambda: None) -> IO[bytes]:
    """Sheets Summary (with charts), Tasks, Libraries and Annual returns."""
    summary = programme_summary(year, programme_id=scope.programme_id)
    book = Workbook()

    sheet, _header = book.sheet("Summary", ["figure", "value"], {"figure": 44, "value": 14})
    row = 1
    figures = [(_("Roadmap tasks"), summary.tasks["total"]), (_("Done, %"), summary.tasks["progress_percent"]),
               (_("Overdue tasks"), summary.tasks["overdue"])]
    if summary.returns:
        figures += [(_("Annual returns expected (%(year)d)", year=summary.returns.year), summary.returns.expected),
                    (_("Submitted"), summary.returns.submitted), (_("Accepted"), summary.returns.accepted),
                    (_("On time"), summary.returns.on_time)]
    for label, value in figures:
        book.write_row(sheet, row, [label, value], percent_columns=(1,) if label == _("Done, %") else ())
        row += 1
    row += 1
    committee_header = row
    for index, label in enumerate([_("Committee"), _("Tasks"), *[str(STATUS_LABELS[s]) for s in STATUS_LABELS],
                                   _("Progress")]):
        sheet.write_string(row, index, label, book.header)
    row += 1
    for c in summary.committees:
        book.write_row(sheet, row, [c["code"], c["tasks_total"], *[c["tasks_by_status"][s] for s in STATUS_LABELS],
                                    c["progress_percent"]], percent_columns=(2 + len(STATUS_LABELS),))
        row += 1
    committee_last = row - 1
    row += 1
    region_header = row
    for index, label in enumerate([_("Region"), _("Libraries"), _("Progress")]):
        sheet.write_string(row, index, label, book.header)
    row += 1
    for r in summary.regions:
        book.write_row(sheet, row, [r["name"], r["libraries"], r["progress_percent"]], percent_columns=(2,))
        row += 1
    region_last = row - 1

    stacked = book.book.add_chart({"type": "bar", "subtype": "stacked"})
    for offset, status in enumerate(STATUS_LABELS):
        column = 2 + offset
        stacked.add_series({
            "name": ["Summary", committee_header, column],
            "categories": ["Summary", committee_header + 1, 0, committee_last, 0],
            "values": ["Summary", committee_header + 1, column, committee_last, column],
            "fill": {"color": charts.STATUS_COLOURS[status]},
        })
    stacked.set_title({"name": _("Tasks by status, per committee")})
    stacked.set_y_axis({"reverse": True})
    sheet.insert_chart(1, 3, stacked, {"x_scale": 1.4, "y_scale": 1.2})
    regions_chart = book.book.add_chart({"type": "bar"})
    regions_chart.add_series({
        "name": _("Progress by region"),
        "categories": ["Summary", region_header + 1, 0, region_last, 0],
        "values": ["Summary", region_header + 1, 2, region_last, 2],
    })
    regions_chart.set_title({"name": _("Progress by region")})
    regions_chart.set_legend({"none": True})
    regions_chart.set_x_axis({"num_format": "0%", "max": 1})
    regions_chart.set_y_axis({"reverse": True})
    sheet.insert_chart(20, 3, regions_chart, {"x_scale": 1.4, "y_scale": 1.5})

    tasks, header_rows = book.sheet("Tasks", rows.PROGRESS_COLUMNS, {"task_title": 60, "last_comment": 50})
    count = 0
    for count, item in enumerate(rows.task_rows(scope, year, committee), start=header_rows):
        book.write_row(tasks, count, [item[c] for c in rows.PROGRESS_COLUMNS])
        on_row()
    tasks.autofilter(0, 0, max(count, header_rows), len(rows.PROGRESS_COLUMNS) - 1)

    libraries, header_rows = book.sheet("Libraries", rows.LIBRARY_COLUMNS, {"library_name": 60})
    count = 0
    percent_column = rows.LIBRARY_COLUMNS.index("overall_percent")
    for count, item in enumerate(rows.library_rows(scope), start=header_rows):
        book.write_row(libraries, count, [item[c] for c in rows.LIBRARY_COLUMNS], percent_columns=(percent_column,))
        on_row()
    libraries.autofilter(0, 0, max(count, header_rows), len(rows.LIBRARY_COLUMNS) - 1)

    columns = ("year", "library", "status", "submitted_at")
    returns_sheet, header_rows = book.sheet("Annual returns", columns)
    count = 0
    for count, item in enumerate(_completeness_rows(scope, year), start=header_rows):
        book.write_row(returns_sheet, count, [item[c] for c in columns])
        on_row()
    returns_sheet.autofilter(0, 0, max(count, header_rows), len(columns) - 1)
    return book.finish()


def progress_pdf(scope: ExportScope, year: int | None, committee: str | None) -> bytes:
    """A report for the Ministry: title page, figures, charts, per-committee tables, overdue tasks, returns."""
    from weasyprint import HTML

    summary = programme_summary(year, programme_id=scope.programme_id)
    tasks = list(rows.task_rows(scope, year, committee))
    html = render_template("exports/progress_report.html", summary=summary, tasks=tasks, year=year,
                           committee=committee, charts=charts, status_labels=STATUS_LABELS)
    return HTML(string=html, base_url=current_app.static_folder).write_pdf()


def returns_columns(fields: list[tuple[str, str]]) -> list[str]:
    return [*rows.RETURN_LEADING, *[code for code, _label in fields], *rows.RETURN_TRAILING]


def returns_csv(scope: ExportScope, year: int | None) -> Iterator[str]:
    fields, items = rows.return_rows(scope, year)
    return stream_csv(returns_columns(fields), items)


def returns_xlsx(scope: ExportScope, year: int | None, on_row=lambda: None) -> IO[bytes]:
    """One row per library (per year), one column per field code, a second header row with the labels."""
    fields, items = rows.return_rows(scope, year)
    columns = returns_columns(fields)
    labels = [_("Library"), _("Name"), _("Status"), _("Submitted"), *[label for _code, label in fields],
              _("Year"), _("Late"), _("Warnings")]
    book = Workbook()
    sheet, header_rows = book.sheet("Annual returns", columns, {"library_name": 50, "warnings": 60},
                                    second_header=labels)
    count = header_rows - 1
    for count, item in enumerate(items, start=header_rows):
        book.write_row(sheet, count, [item.get(c) for c in columns])
        on_row()
    sheet.autofilter(0, 0, max(count, header_rows), len(columns) - 1)
    return book.finish()


def library_progress_columns(measures) -> list[str]:
    return ["library_code", "library_name", "overall_percent", *[m.code for m in measures]]


def library_progress_csv(scope: ExportScope) -> Iterator[str]:
    measures, items = rows.measure_matrix(scope)
    return stream_csv(library_progress_columns(measures), items)


def library_progress_xlsx(scope: ExportScope, on_row=lambda: None) -> IO[bytes]:
    measures, items = rows.measure_matrix(scope)
    columns = library_progress_columns(measures)
    book = Workbook()
    sheet, header_rows = book.sheet("Library progress", columns, {"library_name": 50},
                                    second_header=[_("Library"), _("Name"), _("Progress"), *[m.title for m in measures]])
    count = header_rows - 1
    for count, item in enumerate(items, start=header_rows):
        book.write_row(sheet, count, [item[c] for c in columns], percent_columns=(2,))
        on_row()
    sheet.autofilter(0, 0, max(count, header_rows), len(columns) - 1)
    return book.finish()
