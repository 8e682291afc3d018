"""The kinds of notification e-mail, each with the label the account page shows and who may receive it.
Another feature adds its kind with `register_kind` (at import) and then calls `operations.enqueue`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from association.users.models import Role, User


@dataclass(frozen=True)
class MailKind:
    code: str
    label: Any  # a lazy string, translated when shown
    audience: Callable[[User], bool]  # whose account page offers the switch


KINDS: dict[str, MailKind] = {}


def register_kind(code: str, label: Any, audience: Callable[[User], bool] = lambda user: True) -> MailKind:
    if len(code) > 40:
        raise ValueError(f"mail kind {code!r} is longer than 40 characters")
    kind = MailKind(code, label, audience)
    KINDS[code] = kind
    return kind


def kinds_for(user: User) -> list[MailKind]:
    return [kind for kind in KINDS.values() if kind.audience(user)]


def _representative(user: User) -> bool:
    return user.has_role(Role.LIBRARY_REP)


def _coordinator(user: User) -> bool:
    return user.has_role(Role.COORDINATOR)


RETURN_RETURNED = register_kind("return_returned", _l("My library's annual return is returned for correction"),
                                _representative).code
RETURN_ACCEPTED = register_kind("return_accepted", _l("My library's annual return is accepted"), _representative).code
RETURN_REOPENED = register_kind("return_reopened", _l("My library's annual return is reopened"), _representative).code
RETURNS_SUBMITTED_DIGEST = register_kind("returns_submitted_digest",
                                         _l("A daily digest of the annual returns submitted"), _coordinator).code
