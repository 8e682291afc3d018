"""The close-out report of a programme, the document the Association sends the Ministry (PDF and XLSX, in the
reader's language): tasks per direction and committee (planned, done, cancelled, carried over), indicators against
their targets, the library-level measures' adoption at the close and per year, annual-return completeness per year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import IO, Any

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import gettext as _

from association.committees.models import Committee
from association.core.models import localized
from association.exports.writers import Workbook
from association.extensions import db
from association.libraries.models import LibraryProgress, LibraryProgressHistory, MeasureStatus
from association.programme.models import Association, Direction, Programme
from association.progress.queries import measure_adoption, percent, returns_completeness
from association.returns.models import ReturnForm
from association.roadmap.models import RoadmapTask, TaskStatus
from association.roadmap.queries import code_order

COUNTED = ("done", "cancelled", "carried_over", "unfinished")


@dataclass(frozen=True)
class CloseoutReport:
    association: str
    programme: Programme
    prepared_on: date
    rows: list[dict[str, Any]]  # per direction and committee
    totals: dict[str, int]
    indicators: list[dict[str, Any]]
    measures: list[dict[str, Any]]
    adoption_years: list[int]
    returns: list[Any]


def _task_rows(programme: Programme) -> tuple[list[dict[str, Any]], dict[str, int]]:
    # JSON columns cannot be grouped by (PostgreSQL): the directions' titles are read on their own.
    titles: dict[int, dict[str, str]] = dict(db.session.execute(
        sa.select(Direction.number, Direction.titles).where(Direction.programme_id == programme.id)).all())
    query = (sa.select(Direction.number, Committee.code, Committee.name_kk, Committee.name_ru,
                       Committee.name_en, RoadmapTask.status, sa.func.count())
             .join(Direction, RoadmapTask.direction_id == Direction.id)
             .join(Committee, RoadmapTask.committee_id == Committee.id)
             .where(RoadmapTask.programme_id == programme.id)
             .group_by(Direction.number, Committee.code, Committee.name_kk, Committee.name_ru,
                       Committee.name_en, RoadmapTask.status, Committee.position)
             .order_by(Direction.number, Committee.position))
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    for number, code, kk, ru, en, status, count in db.session.execute(query):
        row = rows.setdefault((number, code), {
            "direction": number, "direction_title": localized(titles.get(number)), "committee": code,
            "committee_name": localized({"kk": kk, "ru": ru, "en": en}), "planned": 0,
            **{name: 0 for name in COUNTED}})
        row["planned"] += count
        status = TaskStatus(status)
        row[status.value if status.value in COUNTED else "unfinished"] += count
    totals = {name: sum(row[name] for row in rows.values()) for name in ("planned", *COUNTED)}
    return list(rows.values()), totals


def _indicators(programme: Programme) -> list[dict[str, Any]]:
    tasks = db.session.scalars(sa.select(RoadmapTask).where(
        RoadmapTask.programme_id == programme.id, RoadmapTask.target_value.is_not(None)).order_by(*code_order()))
    return [{"code": t.code, "title": t.title, "indicator": localized(t.indicators), "target": t.target_value,
             "unit": t.target_unit or "", "status": t.status.value, "progress_percent": t.progress_percent,
             "achieved": t.status == TaskStatus.DONE} for t in tasks]


def _measures(programme: Programme) -> tuple[list[dict[str, Any]], list[int]]:
    measures = db.session.scalars(sa.select(RoadmapTask).where(
        RoadmapTask.programme_id == programme.id, RoadmapTask.library_level).order_by(*code_order())).all()
    adoption = measure_adoption([m.id for m in measures])
    years = list(range(programme.start_year, programme.end_year + 1))
    year_of = sa.extract("year", LibraryProgressHistory.at)
    reached = {(task_id, int(year)): count for task_id, year, count in db.session.execute(
        sa.select(LibraryProgress.task_id, year_of, sa.func.count(sa.distinct(LibraryProgress.library_id)))
        .join(LibraryProgress, LibraryProgressHistory.progress_id == LibraryProgress.id)
        .where(LibraryProgress.task_id.in_([m.id for m in measures]),
               LibraryProgressHistory.to_status == MeasureStatus.DONE)
        .group_by(LibraryProgress.task_id, year_of))}
    rows = []
    for measure in measures:
        counts = adoption[measure.id]
        applicable = sum(counts.values()) - counts[MeasureStatus.NOT_APPLICABLE.value]
        rows.append({"code": measure.code, "title": measure.title, "done": counts["done"],
                     "in_progress": counts["in_progress"], "applicable": applicable,
                     "percent": percent(counts["done"], applicable),
                     "per_year": [reached.get((measure.id, year), 0) for year in years]})
    return rows, years


def closeout_report(programme: Programme, today: date | None = None) -> CloseoutReport:
    """Everything the report shows, read with a fixed number of queries."""
    association = db.session.scalars(sa.select(Association)).first()
    rows, totals = _task_rows(programme)
    measures, years = _measures(programme)
    form_years = set(db.session.scalars(sa.select(ReturnForm.year).distinct()))
    returns = [returns_completeness(year) for year in range(programme.start_year, programme.end_year + 1)
               if year in form_years]
    return CloseoutReport(association.name if association else "", programme, today or date.today(), rows, totals,
                          _indicators(programme), measures, years, returns)


def report_pdf(programme: Programme) -> bytes:
    """The report as a PDF: title page, contents, then one section per subject."""
    from weasyprint import HTML

    html = render_template("programme/closeout_report.html", report=closeout_report(programme))
    return HTML(string=html, base_url=current_app.static_folder).write_pdf()


def report_xlsx(programme: Programme) -> IO[bytes]:
    """The report as a workbook: Summary, Tasks, Indicators, Measures, Annual returns."""
    report = closeout_report(programme)
    book = Workbook()
    sheet, _header = book.sheet("Summary", [_("Close-out report"), ""], {_("Close-out report"): 48, "": 60})
    lines = [(_("Association"), report.association), (_("Programme"), programme.title),
             (_("Code"), programme.code), (_("Period"), f"{programme.start_year}–{programme.end_year}"),
             (_("Closed on"), programme.closed_at.date() if programme.closed_at else _("not closed yet")),
             (_("Prepared on"), report.prepared_on)]
    lines += [(label, report.totals[key]) for key, label in _count_labels().items()]
    for row, values in enumerate(lines, start=1):
        book.write_row(sheet, row, list(values))

    labels = _count_labels()
    sheet, _header = book.sheet("Tasks", ["direction", "committee", *labels], second_header=[
        _("Direction"), _("Committee"), *labels.values()])
    for row, item in enumerate(report.rows, start=2):
        book.write_row(sheet, row, [item["direction"], item["committee"], *[item[key] for key in labels]])

    sheet, _header = book.sheet("Indicators", ["task_code", "indicator", "target", "unit", "status", "progress"],
                                {"indicator": 50}, second_header=[_("Task"), _("Indicator"), _("Target"), _("Unit"),
                                                                  _("Status"), _("Progress, %")])
    for row, item in enumerate(report.indicators, start=2):
        book.write_row(sheet, row, [item["code"], item["indicator"] or item["title"], float(item["target"]),
                                    item["unit"], item["status"], item["progress_percent"]])

    years = [str(year) for year in report.adoption_years]
    sheet, _header = book.sheet("Measures", ["task_code", "measure", "done", "applicable", "percent", *years],
                                {"measure": 50}, second_header=[_("Task"), _("Measure"), _("Libraries done"),
                                                                _("Libraries"), _("Adoption, %"),
                                                                *[_("Done in %(year)s", year=y) for y in years]])
    for row, item in enumerate(report.measures, start=2):
        book.write_row(sheet, row, [item["code"], item["title"], item["done"], item["applicable"], item["percent"],
                                    *item["per_year"]], percent_columns=(4,))

    sheet, _header = book.sheet("Annual returns", ["year", "expected", "submitted", "accepted", "on_time", "percent"],
                                second_header=[_("Year"), _("Expected"), _("Submitted"), _("Accepted"), _("On time"),
                                               _("Complete, %")])
    for row, item in enumerate(report.returns, start=2):
        book.write_row(sheet, row, [item.year, item.expected, item.submitted, item.accepted, item.on_time,
                                    percent(item.submitted, item.expected)], percent_columns=(5,))
    return book.finish()


def _count_labels() -> dict[str, str]:
    return {"planned": _("Tasks in the Roadmap"), "done": _("Done"), "cancelled": _("Cancelled"),
            "carried_over": _("Carried over"), "unfinished": _("Unfinished")}
