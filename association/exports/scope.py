"""What a user may export: everything (coordinator, admin, observer), their committees' tasks (a committee
member), their own library's rows (a library representative)."""

from __future__ import annotations

from dataclasses import dataclass

from association.users.models import Role, User


@dataclass(frozen=True)
class ExportScope:
    everything: bool
    committee_ids: frozenset[int] = frozenset()
    library_id: int | None = None
    # The programme whose tasks and measures are exported (None: the active one, else the newest).
    programme_id: int | None = None

    @property
    def may_export_returns(self) -> bool:
        return self.everything or self.library_id is not None


def export_scope(user: User, programme_id: int | None = None) -> ExportScope:
    if user.has_role(Role.ADMIN, Role.COORDINATOR, Role.OBSERVER):
        return ExportScope(everything=True, programme_id=programme_id)
    library_id = user.library_id if user.has_role(Role.LIBRARY_REP) else None
    return ExportScope(everything=False, committee_ids=frozenset(user.committee_ids()), library_id=library_id,
                       programme_id=programme_id)
