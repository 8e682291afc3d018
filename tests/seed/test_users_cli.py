"""`flask users create EMAIL --name NAME --role ROLE [--committee CODE [--chair]] [--library CODE] [--password-stdin]`."""

import sqlalchemy as sa

from association.extensions import db
from association.users.models import User


def find(app, email):
    with app.app_context():
        user = db.session.scalars(sa.select(User).where(User.email == email)).one_or_none()
        if user is None:
            return None
        return {"roles": user.role_names, "committees": sorted((m.committee.code, m.chair) for m in user.memberships),
                "library_id": user.library_id}


def test_create_chair_with_password_from_stdin(app, client):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "chair@example.org", "--name", "Chair", "--role", "committee_member",
              "--committee", "REG", "--chair", "--password-stdin"],
        input="a password with spaces \n",
    )
    assert result.exit_code == 0, result.output
    assert "Password" not in result.output
    assert find(app, "chair@example.org") == {"roles": ["committee_member"], "committees": [("REG", True)],
                                              "library_id": None}
    # the trailing newline is not part of the password, the trailing space is
    ok = client.post("/api/v1/auth/token", json={"email": "chair@example.org", "password": "a password with spaces "})
    assert ok.status_code == 201
    wrong = client.post("/api/v1/auth/token", json={"email": "chair@example.org", "password": "a password with spaces"})
    assert wrong.status_code == 401


def test_create_library_rep_prints_a_generated_password(app, client):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "Rep@Example.org", "--name", "Rep", "--role", "library_rep", "--library", "NU"]
    )
    assert result.exit_code == 0, result.output
    password = result.output.split("Password (shown once): ")[1].strip()
    assert find(app, "rep@example.org")["roles"] == ["library_rep"]
    assert client.post("/api/v1/auth/token", json={"email": "rep@example.org", "password": password}).status_code == 201


def test_bad_input_is_refused_and_creates_nothing(app):
    runner = app.test_cli_runner()
    cases = [
        (["--role", "committee_member", "--committee", "XXX"], "Unknown committee"),
        (["--role", "library_rep"], "needs a library"),
        (["--role", "library_rep", "--library", "NOPE"], "Unknown library"),
        (["--role", "committee_member"], "at least one committee"),
        (["--role", "wizard"], "wizard"),
    ]
    for extra, message in cases:
        result = runner.invoke(args=["users", "create", "bad@example.org", "--name", "Bad", *extra])
        assert result.exit_code != 0, extra
        assert message in result.output, (extra, result.output)
        assert find(app, "bad@example.org") is None


def test_short_password_is_refused(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "short@example.org", "--name", "S", "--role", "observer", "--password-stdin"],
        input="short\n",
    )
    assert result.exit_code == 1
    assert "At least 12 characters" in result.output
    assert find(app, "short@example.org") is None


def test_duplicate_email_is_refused(app):
    runner = app.test_cli_runner()
    args = ["users", "create", "twice@example.org", "--name", "T", "--role", "observer"]
    assert runner.invoke(args=args).exit_code == 0
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert "already exists" in result.output


def test_common_and_monotonous_passwords_are_refused(app):
    runner = app.test_cli_runner()
    for password in ("password1234", "Qwerty123456", "aaaaaaaaaaaaaaaa", "correct horse battery staple"):
        result = runner.invoke(args=["users", "create", "weak@example.org", "--name", "W", "--role", "observer",
                                     "--password-stdin"], input=password + "\n")
        assert result.exit_code == 1, password
        assert "too common" in result.output
    accepted = runner.invoke(args=["users", "create", "strong@example.org", "--name", "S", "--role", "observer",
                                   "--password-stdin"], input="steppe-" * 9 + "eagle!\n")
    assert accepted.exit_code == 0, accepted.output  # 65 characters are accepted
