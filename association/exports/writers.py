"""Writing exports: CSV streamed row by row; XLSX with XlsxWriter in constant-memory mode (rows are written in
order and flushed), every user text written as a string cell so that nothing runs as a formula."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

import xlsxwriter

from association.core.readable import local_time
from association.exports.safety import inert


def _on_the_apps_clock(value: datetime) -> datetime:
    """A moment as the pages show it (the application's time zone); a naive one is taken as already local."""
    return local_time(value) if value.tzinfo is not None else value


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return inert(value)


def stream_csv(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The CSV text, one line at a time (a header row, then a line per row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    yield "\ufeff" + buffer.getvalue()  # a BOM so that spreadsheet programs read UTF-8 (Kazakh letters)
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_csv_value(row.get(column)) for column in columns])
        yield buffer.getvalue()


class Workbook:
    """An XlsxWriter workbook written to a temporary file in constant-memory mode, with the formats we use."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()
        self.book = xlsxwriter.Workbook(self.file, {"constant_memory": True, "remove_timezone": True,
                                                    "strings_to_formulas": False, "strings_to_urls": False})
        self.header = self.book.add_format({"bold": True, "bg_color": "#DDE6F2", "border": 1, "text_wrap": True,
                                            "valign": "top"})
        # Dates stay dates (sortable); the reader's spreadsheet spells the month in its own language.
        self.date = self.book.add_format({"num_format": "d mmmm yyyy"})
        self.datetime = self.book.add_format({"num_format": "d mmmm yyyy hh:mm"})
        self.percent = self.book.add_format({"num_format": "0%"})
        self.grouped = self.book.add_format({"num_format": "#,##0.##"})  # grouped as the reader's spreadsheet does
        self.title = self.book.add_format({"bold": True, "font_size": 14})

    def sheet(self, name: str, columns: Sequence[str], widths: dict[str, int] | None = None,
              second_header: Sequence[str] | None = None):
        """A sheet with a styled, frozen header row (and an optional second header row of labels)."""
        sheet = self.book.add_worksheet(name)
        for index, column in enumerate(columns):
            sheet.write_string(0, index, column, self.header)
            sheet.set_column(index, index, (widths or {}).get(column, max(12, min(len(column) + 2, 40))))
        header_rows = 1
        if second_header is not None:
            for index, label in enumerate(second_header):
                sheet.write_string(1, index, label or "", self.header)
            header_rows = 2
        sheet.freeze_panes(header_rows, 0)
        return sheet, header_rows

    def write_row(self, sheet, row_number: int, values: Sequence[Any], percent_columns: Sequence[int] = (),
                  grouped_columns: Sequence[int] = ()) -> None:
        for column, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_boolean(row_number, column, value)
            elif isinstance(value, datetime):
                sheet.write_datetime(row_number, column, _on_the_apps_clock(value), self.datetime)
            elif isinstance(value, date):
                sheet.write_datetime(row_number, column, datetime(value.year, value.month, value.day), self.date)
            elif isinstance(value, int | float):
                if column in percent_columns:
                    sheet.write_number(row_number, column, value / 100, self.percent)
                elif column in grouped_columns:
                    sheet.write_number(row_number, column, value, self.grouped)
                else:
                    sheet.write_number(row_number, column, value)
            else:
                sheet.write_string(row_number, column, str(value))  # never a formula, whatever it starts with

    def finish(self):
        """Close the workbook; answers the file, rewound, for streaming to the client or copying to disk."""
        self.book.close()
        self.file.seek(0)
        return self.file
