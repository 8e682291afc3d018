"""Loading the reference data shipped in association/seed_data/. Missing rows are added; existing rows are
left as they are (once loaded, reference data belongs to the coordinator), so a second run changes nothing."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from importlib import resources
from typing import Any

import sqlalchemy as sa
import yaml

from association.committees.models import Committee
from association.extensions import db
from association.libraries.models import LibraryType, MemberLibrary, MembershipStatus, Region, RegionType
from association.programme.models import Association, Direction, Programme, ProgrammeStatus
from association.returns.definitions import load_form_if_missing
from association.roadmap.models import RoadmapTask, TaskStatus

FORM_YEARS = (2022, 2023, 2024, 2025)


def read_text(name: str) -> str:
    return resources.files("association.seed_data").joinpath(name).read_text(encoding="utf-8")


def read_yaml(name: str) -> Any:
    return yaml.safe_load(read_text(name))


def _existing(model: Any, key: str = "code") -> dict[Any, Any]:
    return {getattr(row, key): row for row in db.session.scalars(sa.select(model))}


def load_association(created: Counter) -> None:
    if db.session.scalar(sa.select(Association.id)) is not None:
        return
    data = read_yaml("association.yaml")
    db.session.add(Association(
        name_kk=data["names"]["kk"], name_ru=data["names"]["ru"], name_en=data["names"]["en"],
        short_names=data.get("short_names") or {}, registered_on=data["registered_on"],
        details={
            "name_variants": data.get("name_variants", []),
            "memorandum": {**data.get("memorandum", {}), "signed": str(data.get("memorandum", {}).get("signed", ""))},
            "president": data.get("president", {}),
        },
    ))
    created["association"] += 1


def load_committees(created: Counter) -> None:
    existing = _existing(Committee)
    for item in read_yaml("committees.yaml")["committees"]:
        if item["code"] in existing:
            continue
        db.session.add(Committee(
            code=item["code"], position=item.get("order", 0), known=bool(item.get("known", True)),
            name_kk=item["names"]["kk"], name_ru=item["names"]["ru"], name_en=item["names"]["en"],
            short_names=item.get("short_names") or {}, mandate=item.get("mandate") or {},
        ))
        created["committees"] += 1


def load_programme(created: Counter) -> None:
    data = read_yaml("association.yaml")["programme"]
    roadmap = read_yaml("roadmap.yaml")
    programme = db.session.scalar(sa.select(Programme).where(Programme.code == data["code"]))
    if programme is None:
        programme = Programme(
            code=data["code"], titles=data["title"], roadmap_titles=data["roadmap"]["title"],
            start_year=data["period"]["start_year"], end_year=data["period"]["end_year"],
            # The reference programme runs until the coordinator closes it out (never the seed's act), unless
            # another programme is active already.
            status=ProgrammeStatus.DRAFT if db.session.scalar(sa.select(Programme.id).where(
                Programme.status == ProgrammeStatus.ACTIVE)) else ProgrammeStatus.ACTIVE,
        )
        db.session.add(programme)
        db.session.flush()
        created["programmes"] += 1
    directions = {
        d.number: d for d in db.session.scalars(sa.select(Direction).where(Direction.programme_id == programme.id))
    }
    for item in roadmap["directions"]:
        if item["number"] not in directions:
            direction = Direction(programme_id=programme.id, number=item["number"], titles=item["title"])
            db.session.add(direction)
            directions[item["number"]] = direction
            created["directions"] += 1
    db.session.flush()

    committees = _existing(Committee)
    tasks = {task.code for task in db.session.scalars(
        sa.select(RoadmapTask).where(RoadmapTask.programme_id == programme.id))}
    for item in roadmap["tasks"]:
        code = str(item["code"])
        if code in tasks:
            continue
        db.session.add(RoadmapTask(
            code=code, programme_id=programme.id, direction_id=directions[item["direction"]].id, committee_id=committees[item["committee"]].id,
            title_kk=item["title"]["kk"], title_ru=item["title"]["ru"], title_en=item["title"]["en"],
            descriptions=item.get("description") or {}, planned_year=item["planned_year"], due_date=item["due_date"],
            status=TaskStatus.PLANNED, progress_percent=0, expected_results=item.get("expected_result") or {},
            indicators=item.get("indicator") or {},
            target_value=None if item.get("target_value") is None else str(item["target_value"]),
            target_unit=item.get("target_unit"), library_level=bool(item.get("library_level")),
        ))
        created["tasks"] += 1


def load_regions(created: Counter) -> None:
    existing = _existing(Region)
    for position, item in enumerate(read_yaml("regions.yaml")["regions"], start=1):
        if item["code"] in existing:
            continue
        db.session.add(Region(
            code=item["code"], iso_3166_2=item["iso_3166_2"], type=RegionType(item["type"]), position=position,
            name_kk=item["names"]["kk"], name_ru=item["names"]["ru"], name_en=item["names"]["en"],
            admin_centres=item.get("admin_centre") or {},
        ))
        created["regions"] += 1


def load_libraries(created: Counter) -> None:
    existing = _existing(MemberLibrary)
    regions = {region.code: region.id for region in db.session.scalars(sa.select(Region))}
    for row in csv.DictReader(read_text("libraries.csv").splitlines()):
        if row["code"] in existing:
            continue
        db.session.add(MemberLibrary(
            code=row["code"], name_en=row["name_en"], name_ru=row["name_ru"], name_kk=row["name_kk"],
            university=row["university_en"], city=row["city"], region_id=regions[row["region_code"]],
            type=LibraryType(row["type"]), membership_status=MembershipStatus.ACTIVE,
            joined_on=date.fromisoformat(row["joined_on"]) if row["joined_on"] else None,
        ))
        created["libraries"] += 1


def load_forms(created: Counter) -> None:
    for year in FORM_YEARS:
        if load_form_if_missing(read_yaml(f"form-{year}.yaml")) is not None:
            created["forms"] += 1


def load_indicator_definitions(created: Counter) -> None:
    """The indicators of seed_data/indicators.yaml that are missing (after the forms: they name form fields)."""
    from association.indicators.definitions import load_indicators, parse_definitions

    added, _updated = load_indicators(parse_definitions(read_text("indicators.yaml")), overwrite=False)
    if added:
        created["indicators"] += added


def load_reference_data() -> Counter:
    """Load every kind of reference data in dependency order; answers how many rows of each kind were added."""
    created: Counter = Counter()
    load_association(created)
    load_committees(created)
    load_regions(created)
    db.session.flush()
    load_programme(created)
    load_libraries(created)
    db.session.flush()
    load_forms(created)
    db.session.flush()
    load_indicator_definitions(created)
    return created
