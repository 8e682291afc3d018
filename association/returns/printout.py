"""One library's return for one year as it is printed, on its printable page and in its PDF (the same data for
both): every field's readable value beside last year's accepted one, the status, a summary of its submissions and
reviews, and the library's name, all in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app, render_template

from association.core.i18n import current_language
from association.core.models import localized
from association.core.readable import format_value
from association.libraries.models import MemberLibrary
from association.returns import queries
from association.returns.labels import STATUS_LABELS
from association.users.models import User


@dataclass(frozen=True)
class PrintedField:
    code: str
    label: str
    value: str
    unit: str
    previous: str | None  # last year's accepted value, when the library had one
    note: str


@dataclass(frozen=True)
class PrintedSection:
    code: str
    title: str
    fields: list[PrintedField]


@dataclass
class PrintedReturn:
    """Everything the printed return shows, already readable (the template only lays it out)."""

    library_code: str
    library_name: str
    university: str
    year: int
    title: str
    language: str
    status: str  # "not_started" before the library has saved anything
    late: bool
    due_on: date
    submitted_at: datetime | None
    accepted_at: datetime | None
    review_comment: str
    sections: list[PrintedSection] = field(default_factory=list)
    milestones: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def has_previous(self) -> bool:
        return any(f.previous is not None for s in self.sections for f in s.fields)


def printed_return(library: MemberLibrary, year: int, user: User) -> PrintedReturn:
    """The return as printed. Refused (403) exactly as its page is: the read goes through `queries.return_page`."""
    page = queries.return_page(library, year, user)
    units = page.form.units or {}
    sections = [
        PrintedSection(
            code=section["code"], title=localized(section["title"]) or section["code"],
            fields=[PrintedField(
                code=f.code, label=f.label, value=format_value(f, page.values.get(f.code)),
                unit=localized(units.get(f.unit)) if f.unit else "",
                previous=format_value(f, page.previous[f.code]) if f.code in page.previous else None,
                note=page.notes.get(f.code) or "",
            ) for f in section["fields"]],
        )
        for section in page.sections if section["fields"]
    ]
    annual_return = page.annual_return
    return PrintedReturn(
        library_code=library.code, library_name=library.name, university=library.university, year=year,
        title=page.form.title, language=current_language(),
        status=annual_return.status.value if annual_return else "not_started", late=page.late,
        due_on=page.form.due_on, submitted_at=annual_return.submitted_at if annual_return else None,
        accepted_at=annual_return.accepted_at if annual_return else None,
        review_comment=(annual_return.review_comment or "") if annual_return else "",
        sections=sections,
        milestones=queries.return_milestones(annual_return.id) if annual_return else [],
    )


def printed_return_pdf(printed: PrintedReturn) -> bytes:
    """The printed return as a PDF (WeasyPrint, as the exports): each section's table repeats its header on every
    page and never splits a row."""
    from weasyprint import HTML

    html = render_template("returns/print_pdf.html", printed=printed)
    return HTML(string=html, base_url=current_app.static_folder).write_pdf()
