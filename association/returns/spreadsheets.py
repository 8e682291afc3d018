"""The annual return as a spreadsheet: a template to fill in offline (openpyxl), and reading it back.

The template carries a hidden `meta` sheet (what it is, which library, year and form revision), so a foreign or
mismatched file is recognised and refused before any value is read."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from association.core import readable
from association.core.errors import ValidationFailed
from association.core.models import localized
from association.returns import cells
from association.returns.formcache import AnyField, definition_of
from association.returns.models import FieldType, ReturnForm
from association.returns.rules import NOT_AVAILABLE

MARKER = "association-annual-return"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# Hard caps on what an upload may make us read, whatever its own metadata (a sheet's <dimension>, the sizes in the
# zip directory) claims: a template is a few kilobytes unpacked and has a row per field.
MAX_ARCHIVE_MEMBERS = 100
MAX_UNPACKED_BYTES = 8 * 1024 * 1024
MAX_SHARED_STRINGS = 20_000
MAX_EXTRA_ROWS = 200  # rows read past the template's own (a representative may add notes below)
MAX_ROWS = 2_000
MAX_META_ROWS = 10
_SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s>/]")
_WORKSHEET_START = re.compile(rb"<(\w+:)?worksheet\b[^>]*>")
VALUE_COLUMN = 8  # H
RETURN_SHEET = "Return"  # the values sheet's name before templates were named in the user's language
LISTS_SHEET = "lists"


class SpreadsheetRefused(ValueError):
    """The file is not a return template of this library and year (or not a spreadsheet at all)."""


def type_label(definition: AnyField) -> str:
    """What a field's values are, in the user's language (the template's Type column)."""
    if cells.is_percent(definition):
        return _("Percentage")
    return {FieldType.INTEGER: _("Whole number"), FieldType.DECIMAL: _("Number"), FieldType.BOOLEAN: _("Yes or no"),
            FieldType.TEXT: _("Text"), FieldType.CHOICE: _("One from the list")}[definition.type]


def _display(definition: AnyField, value: Any) -> Any:
    """A stored value as the template shows it: numbers stay numbers, the rest in the words the lists offer."""
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    if value == NOT_AVAILABLE or isinstance(value, bool) or definition.type == FieldType.CHOICE:
        return readable.format_value(definition, value)
    return value


class _Lists:
    """The hidden sheet the dropdowns read their options from, one column per distinct list: a range has no limit of
    length and no trouble with a comma in a label, where a list written into the validation has both."""

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet
        self.ranges: dict[tuple[str, ...], str] = {}

    def range_of(self, offered: tuple[str, ...]) -> str:
        if offered not in self.ranges:
            column = get_column_letter(len(self.ranges) + 1)
            for number, option in enumerate(offered, start=1):
                self.sheet[f"{column}{number}"].value = option
                self.sheet[f"{column}{number}"].data_type = "s"
            self.ranges[offered] = f"{quote_sheetname(LISTS_SHEET)}!${column}$1:${column}${len(offered)}"
        return self.ranges[offered]


def build_template(form: ReturnForm, library_code: str, values: dict[str, Any], previous: dict[str, Any]) -> bytes:
    """An XLSX in the user's language with one row per field: its section, label, unit, type, help, last year's value
    and the current one; lists (in that language) for choices and yes/no. The codes stay, for reading it back."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _safe_title(_("Annual return"))
    sheet.append([_("Code"), _("Section"), _("Field"), _("Unit"), _("Type"), _("Required"), _("Last year"), _("Value"),
                  _("Help")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE6F2")
    lists = _Lists(workbook.create_sheet(LISTS_SHEET))
    sections = {s["code"]: localized(s.get("title")) for s in form.sections or []}
    for row, definition in enumerate(definition_of(form).fields, start=2):
        value = values.get(definition.code)
        sheet.append([
            definition.code, sections.get(definition.section, definition.section), localized(definition.labels),
            localized(form.units.get(definition.unit)) if definition.unit else "", type_label(definition),
            readable.yes_no(True) if definition.required else "", _display(definition, previous.get(definition.code)),
            _display(definition, value), localized(definition.helps),
        ])
        for cell in sheet[row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text, even if it starts with "="
        offered = tuple(cells.options(definition))
        if offered:
            validation = DataValidation(type="list", formula1=lists.range_of(offered), allow_blank=True)
            sheet.add_data_validation(validation)
            validation.add(sheet.cell(row=row, column=VALUE_COLUMN))
    for column, width in zip("ABCDEFGHI", (26, 24, 60, 12, 16, 10, 14, 18, 80), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    lists.sheet.sheet_state = "hidden"
    meta = workbook.create_sheet("meta")
    meta.append(["kind", MARKER])
    meta.append(["library", library_code])
    meta.append(["year", form.year])
    meta.append(["revision", form.revision])
    meta.append(["sheet", sheet.title])
    meta.sheet_state = "hidden"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _safe_title(title: str) -> str:
    """A sheet's name as Excel allows it: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip() or RETURN_SHEET


class UnreadableCells(ValidationFailed):
    """Cells whose values cannot be read (422): each named, with what it should hold; nothing is saved."""

    def __init__(self, problems: list[cells.CellProblem]) -> None:
        super().__init__(_("Nothing was saved: some cells of the spreadsheet cannot be read. Correct them and upload "
                           "the file again."), cells.errors_by_code(problems))
        self.problems = problems


@dataclass
class UploadedValues:
    values: dict[str, Any]
    unknown_codes: list[str]


def _bounded_archive(data: bytes) -> io.BytesIO:
    """The upload's zip unpacked under hard caps (members, unpacked bytes, shared strings) and packed again,
    uncompressed, for openpyxl: a zip bomb or a sheet of millions of rows is refused before any XML is parsed."""
    refused_as_large = SpreadsheetRefused(_("The spreadsheet is too large once unpacked; a return template is "
                                            "much smaller. Download the template again and fill it in."))
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
        members = source.infolist()
        if len(members) > MAX_ARCHIVE_MEMBERS:
            raise refused_as_large
        output = io.BytesIO()
        unpacked = 0
        with zipfile.ZipFile(output, "w", zipfile.ZIP_STORED) as target:
            for member in members:
                if member.is_dir():
                    continue
                with source.open(member) as stream:
                    content = stream.read(MAX_UNPACKED_BYTES - unpacked + 1)  # never more, whatever it claims
                unpacked += len(content)
                if unpacked > MAX_UNPACKED_BYTES:
                    raise refused_as_large
                if member.filename.lower().endswith("sharedstrings.xml") and \
                        len(_SHARED_STRING.findall(content)) > MAX_SHARED_STRINGS:
                    raise refused_as_large
                if member.filename.lower().startswith("xl/worksheets/"):
                    content = _with_dimension(content)
                target.writestr(member.filename, content)
    except SpreadsheetRefused:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError, OSError):
        raise SpreadsheetRefused(_("The spreadsheet cannot be read; it may be damaged.")) from None
    output.seek(0)
    return output


def _with_dimension(sheet: bytes) -> bytes:
    """A sheet without <dimension> gets a dummy one: openpyxl would otherwise read the whole sheet just to look for
    it. Its value does not matter, the rows read are bounded by the caller, not by what the file claims."""
    start = _WORKSHEET_START.search(sheet, 0, 4096)
    head = sheet[:sheet.find(b"sheetData")] if b"sheetData" in sheet else sheet
    if start is None or b"dimension" in head:
        return sheet
    prefix = start.group(1) or b""
    return sheet[:start.end()] + b"<" + prefix + b'dimension ref="A1"/>' + sheet[start.end():]


def read_upload(data: bytes, form: ReturnForm, library_code: str) -> UploadedValues:
    """The values of a filled-in template; refuses anything that is not this library's template for this year."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise SpreadsheetRefused(_("The file is larger than 5 MB."))
    if not data.startswith(b"PK\x03\x04"):
        raise SpreadsheetRefused(_("This is not an XLSX spreadsheet."))
    archive = _bounded_archive(data)
    try:
        workbook = load_workbook(archive, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise SpreadsheetRefused(_("The spreadsheet cannot be read; it may be damaged.")) from None
    try:
        if "meta" not in workbook.sheetnames:
            raise SpreadsheetRefused(_("This spreadsheet is not an annual-return template of this system."))
        meta = {row[0]: row[1] for row in workbook["meta"].iter_rows(max_row=MAX_META_ROWS, max_col=2, values_only=True)
                if row and len(row) >= 2}
        sheet_name = meta.get("sheet") or RETURN_SHEET
        if meta.get("kind") != MARKER or sheet_name not in workbook.sheetnames:
            raise SpreadsheetRefused(_("This spreadsheet is not an annual-return template of this system."))
        if meta.get("library") != library_code or meta.get("year") != form.year:
            raise SpreadsheetRefused(_("This template is for %(library)s, %(year)s, not for this return.",
                                       library=meta.get("library"), year=meta.get("year")))
        return _read_values(workbook[sheet_name], form)
    finally:
        workbook.close()


def _read_values(sheet: Any, form: ReturnForm) -> UploadedValues:
    """Every known row's value, read forgivingly (association.returns.cells); refuses the whole file, naming each
    cell, when a value cannot be read — nothing of it is used then."""
    values: dict[str, Any] = {}
    unknown: list[str] = []
    problems: list[cells.CellProblem] = []
    fields = definition_of(form).fields
    known = {definition.code: definition for definition in fields}
    words = cells.Vocabulary.gather()
    last_row = min(len(fields) + 1 + MAX_EXTRA_ROWS, MAX_ROWS)
    rows = sheet.iter_rows(min_row=2, max_row=last_row + 1, max_col=VALUE_COLUMN)
    for number, row in enumerate(rows, start=2):
        if number > last_row:
            if any(cell.value is not None for cell in row):
                raise SpreadsheetRefused(_("The sheet has more rows than the template (at most %(n)d).", n=last_row))
            break
        if not row or row[0].value is None:
            continue
        code = str(row[0].value).strip()
        if code not in known:
            unknown.append(code)
            continue
        cell = row[VALUE_COLUMN - 1] if len(row) >= VALUE_COLUMN else None
        raw = cell.value if cell is not None else None
        try:
            values[code] = cells.read_cell(known[code], raw, getattr(cell, "number_format", None), words)
        except cells.Unreadable as unreadable:
            coordinate = f"{get_column_letter(VALUE_COLUMN)}{number}"
            problems.append(cells.problem(known[code], coordinate, raw, unreadable))
    if problems:
        raise UnreadableCells(problems)
    return UploadedValues(values, unknown)
