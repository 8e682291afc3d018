"""The one computation of indicator values: every indicator for every library and year, from the returns.

Pages, the API and the exports all read `value_table()`, cached under the figure generation (association.progress
.cache: every commit writing returns, forms, libraries or indicators renews it), so they can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from association.extensions import db
from association.indicators.models import Direction, Indicator
from association.libraries.models import MemberLibrary, Region
from association.returns.models import AnnualReturn, ReturnStatus
from association.returns.rules import ParsedExpression, evaluate_quantity, parse_quantity

STUDENTS_FIELD = "students_fte"
# Size bands by students (full-time equivalent) in the library's return of the year: (code, lowest, below).
SIZE_BANDS: tuple[tuple[str, float, float], ...] = (
    ("under_2000", 0, 2000), ("2000_4999", 2000, 5000), ("5000_9999", 5000, 10000), ("10000_plus", 10000, float("inf")),
)


@dataclass(frozen=True)
class IndicatorInfo:
    """An indicator as plain data (what the cache keeps; no ORM object outlives its session)."""

    id: int
    code: str
    names: dict[str, str]
    descriptions: dict[str, str]
    units: dict[str, str]
    numerator: str
    denominator: str | None
    factor: int
    direction: Direction
    standard: str


@dataclass(frozen=True)
class LibraryInfo:
    id: int
    code: str
    names: dict[str, str]
    type: str
    region: str
    region_names: dict[str, str]


@dataclass(frozen=True)
class ReturnValues:
    """One library's indicator values for one year, in the order of `ValueTable.indicators` (None: unavailable)."""

    values: tuple[float | None, ...]
    provisional: bool  # from a submitted return not yet accepted
    students_fte: float | None

    @property
    def size_band(self) -> str | None:
        return size_band(self.students_fte)


@dataclass(frozen=True)
class ValueTable:
    indicators: tuple[IndicatorInfo, ...]
    libraries: dict[int, LibraryInfo]
    returns: dict[tuple[int, int], ReturnValues]  # (library id, year) -> values
    years: tuple[int, ...]

    def position(self, code: str) -> int | None:
        for index, indicator in enumerate(self.indicators):
            if indicator.code == code:
                return index
        return None

    def of_year(self, year: int) -> dict[int, ReturnValues]:
        return {library_id: values for (library_id, y), values in self.returns.items() if y == year}


def size_band(students: float | None) -> str | None:
    """The size band of a number of students FTE (None when the return does not give it)."""
    if students is None:
        return None
    for code, lowest, below in SIZE_BANDS:
        if lowest <= students < below:
            return code
    return None


class CompiledIndicator:
    """An indicator's expressions, parsed once for the whole table."""

    def __init__(self, info: IndicatorInfo) -> None:
        self.numerator: ParsedExpression = parse_quantity(info.numerator)
        self.denominator: ParsedExpression | None = parse_quantity(info.denominator) if info.denominator else None
        self.factor = info.factor
        self.fields = self.numerator.fields + (self.denominator.fields if self.denominator else ())

    def value(self, values: dict) -> float | None:
        """numerator ÷ denominator × factor; None for a blank or "not available" input or a zero denominator."""
        numerator = evaluate_quantity(self.numerator, values)
        if numerator is None:
            return None
        if self.denominator is None:
            return numerator * self.factor
        denominator = evaluate_quantity(self.denominator, values)
        if denominator is None or denominator == 0:
            return None
        return numerator / denominator * self.factor


def indicator_infos() -> tuple[IndicatorInfo, ...]:
    return tuple(
        IndicatorInfo(i.id, i.code, i.names, i.descriptions, i.units, i.numerator, i.denominator, i.factor,
                      i.direction, i.standard)
        for i in db.session.scalars(sa.select(Indicator).order_by(Indicator.position, Indicator.code)))


def library_infos() -> dict[int, LibraryInfo]:
    rows = db.session.execute(
        sa.select(MemberLibrary.id, MemberLibrary.code, MemberLibrary.name_kk, MemberLibrary.name_ru,
                  MemberLibrary.name_en, MemberLibrary.type, Region.code.label("region"),
                  Region.name_kk.label("r_kk"), Region.name_ru.label("r_ru"), Region.name_en.label("r_en"))
        .join(Region, MemberLibrary.region_id == Region.id).order_by(MemberLibrary.code))
    return {row.id: LibraryInfo(row.id, row.code, {"kk": row.name_kk, "ru": row.name_ru, "en": row.name_en},
                                str(row.type), row.region, {"kk": row.r_kk, "ru": row.r_ru, "en": row.r_en})
            for row in rows}


def _number(text: str | None) -> float | str | None:
    """A value extracted from the return's JSON as text: a number, "NA" (or another text), or None when blank."""
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return text


def _values_query(fields: list[str]) -> sa.Select:
    """Library, year, status and the named fields of each return, as text. PostgreSQL parses a `json` value again
    for every `->>`, so there the row is taken apart once by json_to_record; SQLite's json_extract is cheap."""
    keys = (AnnualReturn.library_id, AnnualReturn.year, AnnualReturn.status)
    if db.session.get_bind().dialect.name == "postgresql":
        record = (sa.func.json_to_record(AnnualReturn.values)
                  .table_valued(*(sa.column(name, sa.Text) for name in fields)).render_derived(with_types=True))
        return sa.select(*keys, *(record.c[name] for name in fields)).select_from(AnnualReturn).join(record, sa.true())
    return sa.select(*keys, *(AnnualReturn.values[name].as_string() for name in fields))


def compute_table(include_submitted: bool = False) -> ValueTable:
    """Every indicator for every library and year: accepted returns (and submitted ones, marked, if asked).

    Only the fields the indicators name are read, extracted from the values' JSON by the database as text (a return
    holds some 50 values; decoding them all was most of the time at 10× the reference data)."""
    indicators = indicator_infos()
    compiled = [CompiledIndicator(info) for info in indicators]
    fields = sorted({STUDENTS_FIELD, *(name for indicator in compiled for name in indicator.fields)})
    statuses = [ReturnStatus.ACCEPTED] + ([ReturnStatus.SUBMITTED] if include_submitted else [])
    rows = db.session.execute(_values_query(fields).where(AnnualReturn.status.in_(statuses)))
    returns: dict[tuple[int, int], ReturnValues] = {}
    for library_id, year, status, *texts in rows:
        values = {name: _number(text) for name, text in zip(fields, texts, strict=True)}
        students = values.get(STUDENTS_FIELD)
        returns[(library_id, year)] = ReturnValues(
            tuple(indicator.value(values) for indicator in compiled), status != ReturnStatus.ACCEPTED,
            students if isinstance(students, float) else None)
    years = tuple(sorted({year for _, year in returns}))
    return ValueTable(indicators, library_infos(), returns, years)


def value_table(include_submitted: bool = False) -> ValueTable:
    """The table, cached under the figure generation (computed at most once per change of its sources)."""
    from association.progress.cache import remember

    return remember(("indicator_values", include_submitted), lambda: compute_table(include_submitted))
