"""Reading indicators: peer groups, a library's benchmark, named values, distributions — and who may see what.

Confidentiality, as statistics offices practise it: named values (a library with its value) are for the
coordinator, observers and admins, and for a library's own representatives about their own library; everyone else
sees distributions only, and a distribution of fewer than k available values (INDICATOR_MIN_PEERS, 5) is not shown.
Committee members have no access to returns (SPEC §1), so they see the definitions and national distributions only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from association.core.errors import Missing, NotAllowed, ValidationFailed
from association.core.models import localized
from association.extensions import db
from association.indicators.models import Indicator, PeerGroup, PeerGroupMember
from association.indicators.statistics import Distribution, distribution, percentile_rank
from association.indicators.values import SIZE_BANDS, IndicatorInfo, ValueTable, value_table
from association.libraries.models import LibraryType, MemberLibrary
from association.returns.models import ReturnForm
from association.users.models import Role, User

BUILT_IN_GROUPS = ("type", "region", "size")
DEFAULT_GROUP = "size"
NAMED_READERS = (Role.COORDINATOR, Role.OBSERVER, Role.ADMIN)


def min_peers() -> int:
    return int(current_app.config.get("INDICATOR_MIN_PEERS", 5))


def can_read_named(user: User) -> bool:
    """Named values of every library: coordinator, observer, admin."""
    return user.has_role(*NAMED_READERS)


def can_benchmark(user: User, library_id: int) -> bool:
    """A library's own values beside its peers' distributions: its representatives and the named readers."""
    return can_read_named(user) or user.represents(library_id)


def can_save_groups(user: User) -> bool:
    return user.has_role(Role.COORDINATOR, Role.ADMIN, Role.LIBRARY_REP)


def can_use_group(user: User, group: PeerGroup) -> bool:
    """A coordinator's group is shared; a rep's group is theirs (named readers see every group)."""
    return group.shared or group.owner_id == user.id or can_read_named(user)


def can_delete_group(user: User, group: PeerGroup) -> bool:
    return group.owner_id == user.id or user.has_role(Role.COORDINATOR, Role.ADMIN)


def own_library_code(user: User) -> str | None:
    """The code of the library the user represents (None for everyone else)."""
    if not user.has_role(Role.LIBRARY_REP) or user.library_id is None:
        return None
    return db.session.scalar(sa.select(MemberLibrary.code).where(MemberLibrary.id == user.library_id))


def check_benchmark_access(user: User, library: MemberLibrary) -> None:
    if not can_benchmark(user, library.id):
        raise NotAllowed(_("You may see this library's indicators only as part of distributions."))


@dataclass(frozen=True)
class GroupSpec:
    """A peer group as asked for: a built-in kind ("type", "region", "size", optionally with a value such as
    "region:ALA"), or a custom group."""

    kind: str
    value: str | None = None
    group: PeerGroup | None = None

    @property
    def key(self) -> str | int:
        if self.group is not None:
            return self.group.id
        return self.kind if self.value is None else f"{self.kind}:{self.value}"

    def label(self, table: ValueTable, library_id: int | None = None, year: int | None = None) -> str:
        if self.group is not None:
            return self.group.name
        if self.value is None and (library_id is None or year is None):
            return _("All libraries")  # a kind without a library to take the value from filters nothing
        value = self.value if self.value is not None else _library_key(table, self.kind, library_id or 0, year or 0)
        return group_value_label(self.kind, value)


def group_value_label(kind: str, value: str | None) -> str:
    """"Size: 2,000–4,999 students FTE" and the like (the kind alone when there is no value)."""
    kinds = {"type": _("Type"), "region": _("Region"), "size": _("Size")}
    if value is None:
        return kinds[kind]
    if kind == "size":
        text = size_band_label(value)
    elif kind == "type":
        text = type_label(value)
    else:
        text = value
    return f"{kinds[kind]}: {text}"


def size_band_label(code: str | None) -> str:
    labels = {"under_2000": _("under 2,000 students FTE"), "2000_4999": _("2,000–4,999 students FTE"),
              "5000_9999": _("5,000–9,999 students FTE"), "10000_plus": _("10,000 students FTE or more")}
    return labels.get(code or "", _("size not reported"))


def type_label(code: str) -> str:
    labels = {"national": _("national"), "state": _("state"), "autonomous": _("autonomous"),
              "private": _("private"), "joint-stock": _("joint-stock")}
    return labels.get(code, code)


def _invalid_group(spec: str) -> ValidationFailed:
    return ValidationFailed(_("Unknown peer group."), {"group": [
        _("Use type, region, size or the id of one of your peer groups; %(spec)s is none of them.", spec=spec)]})


def resolve_group(spec: str | None, user: User) -> GroupSpec:
    """The group a request names (default: size band); an unknown or unusable one is a 422."""
    spec = (spec or DEFAULT_GROUP).strip()
    if spec.isdigit() and len(spec) < 10:
        group = peer_group(int(spec))
        if group is None or not can_use_group(user, group):
            raise _invalid_group(spec)
        return GroupSpec("custom", group=group)
    kind, _sep, value = spec.partition(":")
    if kind not in BUILT_IN_GROUPS:
        raise _invalid_group(spec)
    if not _sep:
        return GroupSpec(kind)
    allowed = {"size": {code for code, _low, _high in SIZE_BANDS}, "type": {t.value for t in LibraryType},
               "region": {info.region for info in value_table().libraries.values()}}[kind]
    if value not in allowed:
        raise _invalid_group(spec)
    return GroupSpec(kind, value)


def _library_key(table: ValueTable, kind: str, library_id: int, year: int) -> str | None:
    """The library's own type, region or size band (the band from its return of that year)."""
    if kind == "size":
        values = table.returns.get((library_id, year))
        return values.size_band if values is not None else None
    info = table.libraries.get(library_id)
    if info is None:
        return None
    return info.type if kind == "type" else info.region


def group_members(table: ValueTable, spec: GroupSpec, year: int, library_id: int | None = None) -> set[int] | None:
    """The library ids in the group for the year (None: every library — a built-in kind with no library or value).
    Only libraries with a return in the table can have values."""
    if spec.group is not None:
        return {member.library_id for member in spec.group.members}
    wanted = spec.value
    if wanted is None:
        if library_id is None:
            return None
        wanted = _library_key(table, spec.kind, library_id, year)
        if wanted is None:
            return set()
    return {lid for (lid, y) in table.returns if y == year and _library_key(table, spec.kind, lid, y) == wanted}


def latest_year(table: ValueTable) -> int | None:
    """The newest year with values, else the newest year with a form (a year to show, even an empty one)."""
    if table.years:
        return table.years[-1]
    return db.session.scalar(sa.select(sa.func.max(ReturnForm.year)))


def peer_values(table: ValueTable, position: int, members: set[int] | None, year: int) -> list[float]:
    """The available values of one indicator among the members for the year."""
    values = []
    for (library_id, y), row in table.returns.items():
        if y == year and (members is None or library_id in members):
            value = row.values[position]
            if value is not None:
                values.append(value)
    return values


@dataclass(frozen=True)
class BenchmarkLine:
    indicator: IndicatorInfo
    value: float | None
    provisional: bool
    peers: Distribution | None
    percentile: float | None
    series: tuple[tuple[int, float | None], ...]  # the library's value in every year of the table

    @property
    def available(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Benchmark:
    library: MemberLibrary
    year: int
    group: GroupSpec
    group_label: str
    lines: tuple[BenchmarkLine, ...]
    include_submitted: bool


def benchmark(library: MemberLibrary, year: int | None, spec: GroupSpec, user: User,
              include_submitted: bool = False) -> Benchmark:
    """The library's value of every indicator beside its peer group's distribution (checked for the user)."""
    check_benchmark_access(user, library)
    table = value_table(include_submitted)
    year = year or latest_year(table) or 0
    members = group_members(table, spec, year, library.id)
    own = table.returns.get((library.id, year))
    k = min_peers()
    lines = []
    for position, indicator in enumerate(table.indicators):
        value = own.values[position] if own is not None else None
        peers_list = peer_values(table, position, members, year)
        peers = distribution(peers_list, k)
        percentile = percentile_rank(value, peers_list) if peers is not None and value is not None else None
        series = tuple((y, table.returns[(library.id, y)].values[position] if (library.id, y) in table.returns
                        else None) for y in table.years)
        lines.append(BenchmarkLine(indicator, value, bool(own and own.provisional), peers, percentile, series))
    return Benchmark(library, year, spec, spec.label(table, library.id, year), tuple(lines), include_submitted)


def describe_benchmark(result: Benchmark) -> dict[str, Any]:
    """The API's shape of a benchmark (SPEC §5)."""
    return {
        "library": result.library.code, "year": result.year, "group": result.group.key,
        "group_name": result.group_label, "quartile_method": "inclusive", "min_peers": min_peers(),
        "indicators": [
            {"code": line.indicator.code, "value": line.value, "available": line.available,
             "provisional": line.provisional, "peers": line.peers.as_dict() if line.peers else None,
             "percentile": line.percentile}
            for line in result.lines],
    }


def indicator_by_code(code: str) -> IndicatorInfo:
    table = value_table()
    position = table.position(code)
    if position is None:
        raise Missing(_("No indicator %(code)s.", code=code))
    return table.indicators[position]


@dataclass(frozen=True)
class NamedValue:
    library_id: int
    code: str
    name: str
    value: float | None
    provisional: bool
    group: str | None  # the library's type, region or size band when the group is a built-in kind


def named_values(code: str, year: int | None, spec: GroupSpec, user: User,
                 include_submitted: bool = False) -> tuple[int, list[NamedValue]]:
    """Every library's value of one indicator for a year, by name (coordinator, observer, admin only)."""
    if not can_read_named(user):
        raise NotAllowed(_("Named values are for the coordinator and observers."))
    table = value_table(include_submitted)
    position = table.position(code)
    if position is None:
        raise Missing(_("No indicator %(code)s.", code=code))
    year = year or latest_year(table) or 0
    members = group_members(table, spec, year)
    items = []
    for (library_id, y), row in table.returns.items():
        if y != year or (members is not None and library_id not in members):
            continue
        info = table.libraries[library_id]
        key = None if spec.group is not None else _library_key(table, spec.kind, library_id, year)
        items.append(NamedValue(library_id, info.code, localized(info.names), row.values[position], row.provisional,
                                key))
    return year, sorted(items, key=lambda item: item.code)


@dataclass(frozen=True)
class YearDistribution:
    year: int
    reported: int  # returns counted (with or without a value)
    distribution: Distribution | None


def national_distribution(code: str, include_submitted: bool = False) -> list[YearDistribution]:
    """The indicator's distribution over every library, per year (k applies here too)."""
    table = value_table(include_submitted)
    position = table.position(code)
    if position is None:
        raise Missing(_("No indicator %(code)s.", code=code))
    k = min_peers()
    return [YearDistribution(year, sum(1 for (_lid, y) in table.returns if y == year),
                             distribution(peer_values(table, position, None, year), k))
            for year in table.years]


def peer_group(group_id: int) -> PeerGroup | None:
    return db.session.scalars(
        sa.select(PeerGroup).where(PeerGroup.id == group_id)
        .options(selectinload(PeerGroup.members).joinedload(PeerGroupMember.library))).one_or_none()


def visible_groups(user: User) -> list[PeerGroup]:
    """The custom groups the user may choose (two queries, whatever the number of groups)."""
    query = sa.select(PeerGroup).options(selectinload(PeerGroup.members).joinedload(PeerGroupMember.library))
    if not can_read_named(user):
        query = query.where(sa.or_(PeerGroup.shared, PeerGroup.owner_id == user.id))
    return list(db.session.scalars(query.order_by(PeerGroup.name, PeerGroup.id)))


def describe_group(group: PeerGroup) -> dict[str, Any]:
    return {"id": group.id, "name": group.name, "owner": group.owner_id, "shared": group.shared,
            "libraries": sorted(member.library.code for member in group.members)}


def indicators() -> list[Indicator]:
    return list(db.session.scalars(sa.select(Indicator).order_by(Indicator.position, Indicator.code)))


def describe_indicator(indicator: Indicator | IndicatorInfo) -> dict[str, Any]:
    return {"id": indicator.id, "code": indicator.code, "name": localized(indicator.names),
            "names": indicator.names, "description": localized(indicator.descriptions),
            "numerator": indicator.numerator, "denominator": indicator.denominator, "factor": indicator.factor,
            "unit": localized(indicator.units), "direction": indicator.direction.value,
            "standard": indicator.standard}


@dataclass(frozen=True)
class TableCell:
    value: float | None
    quartile: int | None  # 1–4 within the rows shown, when they are at least k


@dataclass(frozen=True)
class TableRow:
    library_id: int
    code: str
    name: str
    provisional: bool
    cells: tuple[TableCell, ...]


@dataclass(frozen=True)
class IndicatorTable:
    year: int
    years: tuple[int, ...]
    group: GroupSpec
    group_label: str
    indicators: tuple[IndicatorInfo, ...]
    distributions: tuple[Distribution | None, ...]
    rows: tuple[TableRow, ...]
    sort: str
    descending: bool


def indicator_table(year: int | None, spec: GroupSpec, user: User, *, sort: str = "library",
                    descending: bool = False, include_submitted: bool = False) -> IndicatorTable:
    """Libraries × indicators for a year, by name (named readers only), each cell with its quartile band."""
    from association.indicators.statistics import quartile_of

    if not can_read_named(user):
        raise NotAllowed(_("Named values are for the coordinator and observers."))
    table = value_table(include_submitted)
    year = year or latest_year(table) or 0
    members = group_members(table, spec, year)
    k = min_peers()
    distributions = tuple(distribution(peer_values(table, position, members, year), k)
                          for position in range(len(table.indicators)))
    rows = []
    for (library_id, y), values in table.returns.items():
        if y != year or (members is not None and library_id not in members):
            continue
        info = table.libraries[library_id]
        cells = tuple(TableCell(value, quartile_of(value, dist) if value is not None and dist is not None else None)
                      for value, dist in zip(values.values, distributions, strict=True))
        rows.append(TableRow(library_id, info.code, localized(info.names), values.provisional, cells))
    position = table.position(sort)
    if position is None:
        sort = "library"
        rows.sort(key=lambda row: row.code, reverse=descending)
    else:
        # Unavailable values go last whichever the order.
        present = sorted((r for r in rows if r.cells[position].value is not None),
                         key=lambda r: (r.cells[position].value, r.code), reverse=descending)
        rows = present + sorted((r for r in rows if r.cells[position].value is None), key=lambda r: r.code)
    label = spec.label(table)
    return IndicatorTable(year, table.years, spec, label, table.indicators, distributions, tuple(rows), sort,
                          descending)
