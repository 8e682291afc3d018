"""Indicator downloads: the table as CSV and XLSX (with a native chart per indicator), and the one-page PDF
benchmark profile of a library. All of them read the same queries as the pages, so the numbers agree."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from flask import current_app, render_template
from flask_babel import gettext as _

from association.core.models import localized
from association.exports.writers import Workbook, stream_csv
from association.indicators import charts
from association.indicators.queries import Benchmark, IndicatorTable

XLSX_SHEET = "Indicators"


def table_columns(table: IndicatorTable) -> list[str]:
    return ["year", "library", "library_name", "provisional", *[i.code for i in table.indicators]]


def _table_rows(table: IndicatorTable) -> Iterator[dict[str, Any]]:
    for row in table.rows:
        yield {"year": table.year, "library": row.code, "library_name": row.name, "provisional": row.provisional,
               **{indicator.code: cell.value for indicator, cell in zip(table.indicators, row.cells, strict=True)}}


def table_csv(table: IndicatorTable) -> Iterator[str]:
    """One line per library; an unavailable value is an empty cell (never 0)."""
    return stream_csv(table_columns(table), _table_rows(table))


def table_xlsx(table: IndicatorTable) -> IO[bytes]:
    """Sheet Indicators (the table, with the indicators' names as a second header row), sheet Distribution
    (count and quartiles per indicator) and a native column chart of every indicator over the libraries."""
    columns = table_columns(table)
    book = Workbook()
    labels = [_("Year"), _("Library"), _("Name"), _("Provisional"),
              *[f"{localized(i.names)} ({localized(i.units)})" for i in table.indicators]]
    sheet, header_rows = book.sheet(XLSX_SHEET, columns, {"library_name": 50}, second_header=labels)
    last = header_rows - 1
    for last, item in enumerate(_table_rows(table), start=header_rows):
        book.write_row(sheet, last, [item[c] for c in columns])
    sheet.autofilter(0, 0, max(last, header_rows), len(columns) - 1)

    stats, _rows = book.sheet("Distribution", ["indicator", "name", "count", "min", "q1", "median", "q3", "max"],
                              {"name": 50})
    for index, (indicator, dist) in enumerate(zip(table.indicators, table.distributions, strict=True), start=1):
        book.write_row(stats, index, [indicator.code, localized(indicator.names),
                                      *([dist.count, dist.min, dist.q1, dist.median, dist.q3, dist.max] if dist
                                        else [None] * 6)])
    chart_sheet = book.book.add_worksheet("Charts")
    if last >= header_rows:
        for index, indicator in enumerate(table.indicators):
            column = 4 + index
            chart = book.book.add_chart({"type": "column"})
            chart.add_series({"name": localized(indicator.names),
                              "categories": [XLSX_SHEET, header_rows, 1, last, 1],
                              "values": [XLSX_SHEET, header_rows, column, last, column],
                              "fill": {"color": charts.BOX_COLOUR}})
            chart.set_title({"name": f"{localized(indicator.names)} ({table.year})"})
            chart.set_legend({"none": True})
            chart.set_y_axis({"name": localized(indicator.units)})
            chart_sheet.insert_chart(index * 18, 0, chart, {"x_scale": 1.6, "y_scale": 1.1})
    return book.finish()


def benchmark_pdf(result: Benchmark) -> bytes:
    """The library's benchmark profile on one A4 page, in the language of the request."""
    from weasyprint import HTML

    from association.indicators.queries import min_peers

    html = render_template("indicators/profile.html", result=result, charts=charts, min_peers=min_peers())
    return HTML(string=html, base_url=current_app.static_folder).write_pdf()
