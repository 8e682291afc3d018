"""The demo's history (only with `seed --demo`): the 2022–2024 programme closed out with its decisions, a 2025–2027
programme active with carried-over and new tasks in several states, and annual returns — 2022–2024 mostly accepted,
2025 partly submitted and reviewed. Everything goes through the same operations the interface uses."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import g

from association.extensions import db
from association.libraries.models import MemberLibrary, MembershipStatus
from association.programme import operations as programmes
from association.programme.models import Programme, ProgrammeStatus
from association.programme.queries import unfinished_tasks
from association.returns import operations as returns
from association.returns.models import ReturnForm
from association.roadmap.models import RoadmapTask, TaskStatus
from association.roadmap.operations import create_task, update_task
from association.users.models import User

NEXT_CODE = "P2025-2027"
NEXT_TITLES = {
    "kk": "Жоғары білім берудің ақпараттық-кітапханалық қамтамасыз етуін жаңғырту бағдарламасы, 2025–2027",
    "ru": "Программа модернизации информационно-библиотечного обеспечения высшего образования, 2025–2027",
    "en": "Programme for the Modernization of Information and Library Support for Higher Education, 2025–2027",
}
# A plausible return; each library's figures are scaled from it so that the libraries differ.
SAMPLE_VALUES: dict[str, Any] = {
    "students_fte": 5200, "academic_staff": 480, "area_total_m2": 3200.5, "seats_reading": 420,
    "opening_hours_week": 72, "collection_print_items": 350000, "users_registered": 6100, "visits_physical": 180000,
    "loans_total": 95000, "ebooks_titles": 21000, "databases_licensed": 18, "staff_total": 34, "staff_trained": 20,
    "expenditure_total_kzt": 250000000, "lms_type": "koha", "lms_name": "Koha 23.05", "has_repository": True,
}
# (code, committee, direction, titles, planned year, status steps)
NEW_TASKS: list[tuple[str, str, int, dict[str, str], int, list[TaskStatus]]] = [
    ("1.9", "REG", 1, {"kk": "Цифрлық кітапханалардың үлгілік ережесі", "ru": "Типовое положение о цифровой библиотеке",
                      "en": "Model regulations of a digital library"}, 2025, [TaskStatus.IN_PROGRESS, TaskStatus.DONE]),
    ("2.9", "EDU", 2, {"kk": "Жасанды интеллект бойынша кітапханашыларды оқыту",
                      "ru": "Обучение библиотекарей работе с искусственным интеллектом",
                      "en": "Training librarians in artificial intelligence tools"}, 2026, [TaskStatus.IN_PROGRESS]),
    ("4.9", "AUT", 4, {"kk": "Бірыңғай авторизация қызметі", "ru": "Единый сервис авторизации",
                      "en": "A single sign-on service for member libraries"}, 2026,
     [TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED]),
    ("5.12", "OPN", 5, {"kk": "Ашық деректер репозиторийі", "ru": "Репозиторий открытых данных",
                       "en": "An open research data repository"}, 2027, []),
]


def _user(email: str) -> User:
    return db.session.scalars(sa.select(User).where(User.email == email)).one()


def _values(index: int) -> dict[str, Any]:
    scale = 0.6 + (index % 7) * 0.1
    return {code: (round(value * scale) if isinstance(value, int) and not isinstance(value, bool)
                   else round(value * scale, 1) if isinstance(value, float) else value)
            for code, value in SAMPLE_VALUES.items()} | {"staff_trained": round(20 * scale) // 2}


def _backdate(annual_return: Any, form: ReturnForm, days_before_due: int) -> None:
    """The demo is seeded today; its returns read as submitted when they would have been."""
    at = datetime.combine(form.due_on - timedelta(days=days_before_due), time(10), tzinfo=UTC)
    annual_return.submitted_at = annual_return.first_submitted_at = at
    if annual_return.accepted_at is not None:
        annual_return.accepted_at = at + timedelta(days=7)


def load_demo_returns(admin: User, coordinator: User) -> int:
    """Returns for every form year: the past years mostly accepted, the current one partly submitted and reviewed."""
    libraries = db.session.scalars(sa.select(MemberLibrary).where(
        MemberLibrary.membership_status == MembershipStatus.ACTIVE).order_by(MemberLibrary.code)).all()
    forms = {form.year: form for form in db.session.scalars(sa.select(ReturnForm).order_by(ReturnForm.revision))}
    newest = max(forms)
    made = 0
    for year in sorted(forms):
        for index, library in enumerate(libraries):
            if returns.find_return(library.id, year) is not None:
                continue
            share = index / len(libraries)
            if year == newest and share >= 0.6:
                continue  # not started yet
            returns.save_return(library, year, admin, _values(index + year))
            made += 1
            if year == newest and share >= 0.45:
                continue  # a draft
            submitted = returns.submit_return(library, year, admin)
            if year == newest and share >= 0.3:
                _backdate(submitted, forms[year], 3)
                continue  # waiting for review
            if year == newest and index % 4 == 1:
                returns.return_for_correction(library, year, coordinator, "Please check the staff figures.")
                _backdate(submitted, forms[year], 2)
                continue
            if year < newest and share >= 0.9:
                _backdate(submitted, forms[year], -20)  # late, still under review
                continue
            accepted = returns.accept_return(library, year, coordinator)
            _backdate(accepted, forms[year], 10 + index % 10)
    db.session.flush()
    return made


def _decision(task: RoadmapTask) -> dict[str, Any]:
    if task.status in (TaskStatus.IN_PROGRESS, TaskStatus.BLOCKED) or task.library_level or task.planned_year == 2024:
        return {"action": "carry_over", "to_programme": NEXT_CODE,
                "comment": "Continues in the 2025–2027 Roadmap."}
    if int(task.code.split(".")[-1]) % 2:
        return {"action": "done", "comment": "Completed within the work of the committee; report on file."}
    return {"action": "cancel", "comment": "Superseded by the Ministry's 2024 requirements."}


def load_demo_cycle(coordinator: User) -> bool:
    """Close the reference programme out into a 2025–2027 one (once; answers whether it did)."""
    if db.session.scalar(sa.select(Programme.id).where(Programme.code == NEXT_CODE)) is not None:
        return False
    current = db.session.scalars(sa.select(Programme).where(Programme.status == ProgrammeStatus.ACTIVE)).first()
    if current is None:
        return False
    g.cli_actor = coordinator
    following = programmes.create_programme(coordinator, {
        "code": NEXT_CODE, "titles": NEXT_TITLES, "start_year": 2025, "end_year": 2027,
        "copy_directions_from": current.code})
    programmes.start_closeout(current, coordinator)
    programmes.activate_programme(following, coordinator)
    for task in unfinished_tasks(current):
        programmes.decide(current, task.code, coordinator, _decision(task))
    carried = programmes.close_programme(current, coordinator)
    for task in carried[:3]:
        if task.status == TaskStatus.PLANNED:
            update_task(task, coordinator, status=TaskStatus.IN_PROGRESS, progress_percent=20,
                        comment="Work resumed in the new Roadmap.")
    for code, committee, direction, titles, year, steps in NEW_TASKS:
        task = create_task(coordinator, {
            "programme": NEXT_CODE, "code": code, "committee": committee, "direction": direction,
            "title_kk": titles["kk"], "title_ru": titles["ru"], "title_en": titles["en"], "planned_year": year,
            "due_date": date(year, 11, 30)})
        for status in steps:
            update_task(task, coordinator, status=status, comment="Demo progress.")
    g.pop("cli_actor", None)
    db.session.flush()
    return True
