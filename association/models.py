"""Every model, imported once so that the metadata (Alembic, tests) knows the whole schema."""

from association.audit.models import AuditEvent
from association.auth.models import ApiToken
from association.committees.models import Committee, CommitteeMembership
from association.libraries.models import (
    LibraryProgress,
    LibraryProgressHistory,
    MemberLibrary,
    MembershipChange,
    Region,
)
from association.programme.models import Association, Direction, Programme
from association.progress.models import FigureGeneration
from association.returns.models import AnnualReturn, FormField, FormRule, ReturnForm, ReturnHistory, ReturnReminder
from association.roadmap.models import CloseoutDecision, RoadmapTask, TaskHistory, TaskWatcher
from association.users.models import User, UserRole

__all__ = [
    "AnnualReturn", "ApiToken", "Association", "AuditEvent", "CloseoutDecision", "Committee", "CommitteeMembership", "Direction",
    "FigureGeneration", "FormField", "FormRule", "LibraryProgress", "LibraryProgressHistory", "MemberLibrary", "MembershipChange",
    "Programme", "Region", "ReturnForm", "ReturnHistory", "ReturnReminder", "RoadmapTask", "TaskHistory", "TaskWatcher", "User",
    "UserRole",
]
