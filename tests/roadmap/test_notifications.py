"""`flask tasks notify`: digests over real SMTP (a local aiosmtpd server), one per person, nothing twice."""

import email

import sqlalchemy as sa

from association.extensions import db
from association.roadmap.models import RoadmapTask, TaskStatus
from association.roadmap.operations import update_task, watch_task
from association.users.models import Role, User
from tests.factories import make_user
from tests.samples import inbox  # noqa: F401  (fixture)


def change(app, user_id, code, **kwargs):
    with app.app_context():
        task = db.session.scalars(sa.select(RoadmapTask).where(RoadmapTask.code == code)).one()
        update_task(task, db.session.get(User, user_id), **kwargs)
        db.session.commit()


def notify(app):
    result = app.test_cli_runner().invoke(args=["tasks", "notify"])
    assert result.exit_code == 0, result.output
    return result.output


def body_of(message):
    parsed = email.message_from_string(message.as_string()) if not isinstance(message, email.message.Message) else message
    return parsed.get_payload(decode=True).decode("utf-8") if not parsed.is_multipart() else parsed.get_payload(0).get_payload(decode=True).decode()


def test_members_and_watchers_get_one_digest_each_and_nothing_twice(app, inbox):  # noqa: F811
    chair = make_user(app, committees=[("REG", True)])
    member = make_user(app, committees=[("REG", False)], locale="ru")
    outsider = make_user(app, committees=[("EDU", False)])
    watcher = make_user(app, Role.OBSERVER)
    with app.app_context():
        task = db.session.scalars(sa.select(RoadmapTask).where(RoadmapTask.code == "1.3")).one()
        watch_task(task, db.session.get(User, watcher.id))
        db.session.commit()
    change(app, chair.id, "1.3", status=TaskStatus.IN_PROGRESS, comment="Жұмыс басталды")
    change(app, chair.id, "1.4", progress_percent=10)

    assert "digest(s) sent" in notify(app)
    recipients = sorted(m["To"] for m in inbox)
    assert recipients == sorted([member.email, watcher.email])  # not the author, not another committee
    by_recipient = {m["To"]: body_of(m) for m in inbox}
    assert "1.3" in by_recipient[member.email] and "1.4" in by_recipient[member.email]
    assert "Жұмыс басталды" in by_recipient[member.email]
    assert "1.3" in by_recipient[watcher.email] and "1.4" not in by_recipient[watcher.email]
    assert "/tasks/" in by_recipient[watcher.email]
    assert outsider.email not in recipients

    inbox.clear()
    notify(app)
    assert inbox == []  # nothing new, nothing sent

    change(app, member.id, "1.3", progress_percent=40)
    notify(app)
    assert sorted(m["To"] for m in inbox) == sorted([chair.email, watcher.email])


def test_dry_run_sends_and_marks_nothing(app, inbox):  # noqa: F811
    chair = make_user(app, committees=[("REG", True)])
    make_user(app, committees=[("REG", False)])
    change(app, chair.id, "1.3", status=TaskStatus.IN_PROGRESS)
    result = app.test_cli_runner().invoke(args=["tasks", "notify", "--dry-run"])
    assert "1 digest(s) would be sent" in result.output
    assert inbox == []
    notify(app)
    assert len(inbox) == 1


def test_digest_in_the_recipients_language(app, inbox):  # noqa: F811
    chair = make_user(app, committees=[("REG", True)])
    make_user(app, committees=[("REG", False)], locale="ru")
    change(app, chair.id, "1.3", status=TaskStatus.IN_PROGRESS)
    notify(app)
    [message] = inbox
    assert "В работе" in body_of(message)  # "In progress", in Russian
