"""The export documents: the progress summary (CSV, XLSX with native charts, PDF), returns, library progress."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import IO, Any

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import gettext as _

from association.core import charts
from association.core import formatting as fmt
from association.exports import rows
from association.exports.scope import ExportScope
from association.exports.writers import Workbook, stream_csv
from association.extensions import db
from association.libraries.forms import MEASURE_LABELS, MEMBERSHIP_LABELS, TYPE_LABELS
from association.libraries.models import MemberLibrary
from association.progress.queries import programme_summary, returns_completeness
from association.returns.forms import STATUS_LABELS as RETURN_STATUS_LABELS
from association.returns.models import ReturnForm
from association.roadmap.labels import STATUS_LABELS

# The CSV is the machine format (SPEC §3.1): code headers, coded values, a label column after the coded ones.
PROGRESS_CSV_COLUMNS = (*rows.PROGRESS_COLUMNS[:rows.PROGRESS_COLUMNS.index("status") + 1], "status_label",
                        *rows.PROGRESS_COLUMNS[rows.PROGRESS_COLUMNS.index("status") + 1:])


def _task_sheet_columns() -> list[tuple[str, str]]:
    """The Tasks sheet for people: (row key, header in the reader's language); the status code keeps a column."""
    return [("task_code", _("Code")), ("task_title", _("Task")), ("committee_code", _("Committee")),
            ("direction", _("Direction")), ("planned_year", _("Planned year")), ("due_date", _("Due date")),
            ("status_label", _("Status")), ("status", _("Status code")), ("progress_percent", _("Progress")),
            ("overdue_text", _("Overdue")), ("library_level_text", _("Library-level measure")),
            ("last_update_at", _("Last update")), ("last_comment", _("Last comment"))]


def _library_sheet_columns() -> list[tuple[str, str]]:
    return [("library_code", _("Code")), ("library_name", _("Library")), ("region_name", _("Region")),
            ("region", _("Region code")), ("city", _("City")), ("type_label", _("Type")), ("type", _("Type code")),
            ("membership_label", _("Membership")), ("membership_status", _("Membership code")),
            ("overall_percent", _("Progress"))]


def _labeller(labels: Mapping[str, Any]) -> Callable[[str | None], str]:
    """fmt.label for one export: each code's label translated once. A label is a lazy string, translated on every
    use: at 30× the library-progress sheet alone has 360,000 cells of them."""
    translated: dict[str | None, str] = {}

    def label(code: str | None) -> str:
        found = translated.get(code)
        if found is None:
            found = translated[code] = fmt.label(labels, code)
        return found

    return label


def _yes_no() -> Callable[[bool | None], str]:
    """fmt.yes_no for one export, translated once."""
    words = {True: fmt.yes_no(True), False: fmt.yes_no(False), None: fmt.yes_no(None)}
    return lambda value: words[None if value is None else bool(value)]


def _readable_tasks(items: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    status_label, yes_no = _labeller(STATUS_LABELS), _yes_no()
    for item in items:
        yield {**item, "status_label": status_label(item["status"]),
               "overdue_text": yes_no(item["overdue"]), "library_level_text": yes_no(item["library_level"])}


def progress_csv(scope: ExportScope, year: int | None, committee: str | None) -> Iterator[str]:
    return stream_csv(PROGRESS_CSV_COLUMNS, _readable_tasks(rows.task_rows(scope, year, committee)))


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

    task_columns = _task_sheet_columns()
    tasks, header_rows = book.sheet("Tasks", [title for _key, title in task_columns],
                                    {_("Task"): 60, _("Last comment"): 50})
    count = 0
    progress_column = [key for key, _title in task_columns].index("progress_percent")
    for count, item in enumerate(_readable_tasks(rows.task_rows(scope, year, committee)), start=header_rows):
        book.write_row(tasks, count, [item[key] for key, _title in task_columns], percent_columns=(progress_column,))
        on_row()
    tasks.autofilter(0, 0, max(count, header_rows), len(task_columns) - 1)

    library_columns = _library_sheet_columns()
    libraries, header_rows = book.sheet("Libraries", [title for _key, title in library_columns], {_("Library"): 60})
    count = 0
    percent_column = [key for key, _title in library_columns].index("overall_percent")
    type_label, membership_label = _labeller(TYPE_LABELS), _labeller(MEMBERSHIP_LABELS)
    for count, item in enumerate(rows.library_rows(scope), start=header_rows):
        readable = {**item, "type_label": type_label(item["type"]),
                    "membership_label": membership_label(item["membership_status"])}
        book.write_row(libraries, count, [readable[key] for key, _title in library_columns],
                       percent_columns=(percent_column,))
        on_row()
    libraries.autofilter(0, 0, max(count, header_rows), len(library_columns) - 1)

    return_columns = [("year", _("Year")), ("library", _("Library")), ("status_label", _("Status")),
                      ("status", _("Status code")), ("submitted_at", _("Submitted"))]
    returns_sheet, header_rows = book.sheet("Annual returns", [title for _key, title in return_columns])
    count = 0
    return_status_label = _labeller(RETURN_STATUS_LABELS)
    for count, item in enumerate(_completeness_rows(scope, year), start=header_rows):
        readable = {**item, "status_label": return_status_label(item["status"])}
        book.write_row(returns_sheet, count, [readable[key] for key, _title in return_columns])
        on_row()
    returns_sheet.autofilter(0, 0, max(count, header_rows), len(return_columns) - 1)
    return book.finish()


def progress_pdf(scope: ExportScope, year: int | None, committee: str | None) -> bytes:
    """A report for the Ministry: title page, figures, charts, per-committee tables, overdue tasks, returns."""
    from weasyprint import HTML

    summary = programme_summary(year, programme_id=scope.programme_id)
    tasks = list(_readable_tasks(rows.task_rows(scope, year, committee)))
    html = render_template("exports/progress_report.html", summary=summary, tasks=tasks, year=year,
                           committee=committee, charts=charts, status_labels=STATUS_LABELS, fmt=fmt)
    return HTML(string=html, base_url=current_app.static_folder).write_pdf()


def returns_columns(fields: list[tuple[str, str]], types: dict[str, tuple[str, Any]]) -> list[str]:
    """The CSV's columns: SPEC §3.1's codes, then a label column for each coded one (status, choice fields)."""
    choice_codes = [code for code, _label in fields if types.get(code, ("",))[0] == "choice"]
    return [*rows.RETURN_LEADING, *[code for code, _label in fields], *rows.RETURN_TRAILING, "status_label",
            *[f"{code}_label" for code in choice_codes]]


def _labelled_returns(items: Iterator[dict[str, Any]], types: dict[str, tuple[str, Any]]) -> Iterator[dict[str, Any]]:
    choices = {code: options for code, (kind, options) in types.items() if kind == "choice"}
    status_label = _labeller(RETURN_STATUS_LABELS)
    choice_texts: dict[tuple[str, Any], str] = {}  # each field's choice spelled out once per export

    def choice_text(code: str, value: Any) -> str:
        key = (code, value if isinstance(value, str | int | float | bool | None) else repr(value))
        found = choice_texts.get(key)
        if found is None:
            found = choice_texts[key] = fmt.value_text(value, "choice", choices[code])
        return found

    for item in items:
        yield {**item, "status_label": status_label(item["status"]),
               **{f"{code}_label": choice_text(code, item.get(code)) for code in choices}}


def returns_csv(scope: ExportScope, year: int | None) -> Iterator[str]:
    fields, items = rows.return_rows(scope, year)
    types = rows.field_types(year)
    return stream_csv(returns_columns(fields, types), _labelled_returns(items, types))


def returns_xlsx(scope: ExportScope, year: int | None, on_row=lambda: None) -> IO[bytes]:
    """One row per library (per year): a header row in the reader's language, a second one with the codes (the
    CSV's), values as people read them (labels, Yes/No, "not available"); codes keep columns of their own."""
    fields, items = rows.return_rows(scope, year)
    types = rows.field_types(year)
    columns: list[tuple[str, str]] = [("library_code", _("Library")), ("library_name", _("Library name")),
                                      ("status_label", _("Status")), ("status", _("Status code")),
                                      ("submitted_at", _("Submitted"))]
    for code, title in fields:
        columns.append((code, title))
        if types.get(code, ("",))[0] == "choice":
            columns[-1] = (f"{code}_label", title)
            columns.append((code, _("%(field)s (code)", field=title)))
    columns += [("year", _("Year")), ("late", _("Late")), ("warnings", _("Warnings"))]
    keys = [key for key, _title in columns]
    grouped = [index for index, key in enumerate(keys) if types.get(key, ("",))[0] in ("integer", "decimal")]
    book = Workbook()
    sheet, header_rows = book.sheet("Annual returns", [title for _key, title in columns],
                                    {_("Library name"): 50, _("Warnings"): 60}, second_header=keys)
    count = header_rows - 1
    yes_no, not_available = _yes_no(), fmt.not_available()
    kinds = {key: types.get(key, ("",))[0] for key in keys}
    for count, item in enumerate(_labelled_returns(items, types), start=header_rows):
        readable = {key: _readable_value(item.get(key), kinds[key], yes_no, not_available) for key in keys}
        readable.update({"status": item["status"], "late": yes_no(item["late"])})
        book.write_row(sheet, count, [readable[key] for key in keys], grouped_columns=grouped)
        on_row()
    sheet.autofilter(1, 0, max(count, header_rows), len(columns) - 1)
    return book.finish()


def _readable_value(value: Any, kind: str, yes_no: Callable[[bool | None], str], not_available: str) -> Any:
    """A return value for the XLSX: numbers stay numbers (grouped by the format), the rest reads as text."""
    if value == fmt.NOT_AVAILABLE:
        return not_available
    if kind == "boolean":
        return yes_no(value)
    return value


def library_progress_columns(measures) -> list[str]:
    return ["library_code", "library_name", "overall_percent", *[m.code for m in measures]]


def library_progress_csv(scope: ExportScope) -> Iterator[str]:
    """The code columns, then each measure's status label (`<code>_label`)."""
    measures, items = rows.measure_matrix(scope)
    codes = [m.code for m in measures]
    measure_label = _labeller(MEASURE_LABELS)
    labelled = ({**item, **{f"{code}_label": measure_label(item[code]) for code in codes}} for item in items)
    return stream_csv([*library_progress_columns(measures), *[f"{code}_label" for code in codes]], labelled)


def library_progress_xlsx(scope: ExportScope, on_row=lambda: None) -> IO[bytes]:
    """Libraries × measures: the header in the reader's language (the measure codes in the second header row), each
    measure's status by its label."""
    measures, items = rows.measure_matrix(scope)
    columns = library_progress_columns(measures)
    book = Workbook()
    sheet, header_rows = book.sheet("Library progress", [_("Library"), _("Library name"), _("Progress"),
                                                         *[f"{m.code} {m.title}" for m in measures]],
                                    {_("Library name"): 50}, second_header=columns)
    measure_codes = {m.code for m in measures}
    measure_label = _labeller(MEASURE_LABELS)
    count = header_rows - 1
    for count, item in enumerate(items, start=header_rows):
        book.write_row(sheet, count, [measure_label(item[c]) if c in measure_codes else item[c] for c in columns],
                       percent_columns=(2,))
        on_row()
    sheet.autofilter(1, 0, max(count, header_rows), len(columns) - 1)
    return book.finish()
