"""Every model, imported once so that the metadata (Alembic, tests) knows the whole schema."""

from association.audit.models import AuditEvent
from association.auth.models import ApiToken, IdentityGeneration, LoginFailure, PasswordResetToken, UserSession
from association.comments.models import CommentMention, TaskComment
from association.committees.models import Committee, CommitteeMembership
from association.documents.models import Document, DocumentComment, DocumentTask, DocumentVersion
from association.files.models import StoredFile
from association.indicators.models import Indicator, PeerGroup, PeerGroupMember
from association.libraries.models import (
    LibraryProgress,
    LibraryProgressHistory,
    MemberLibrary,
    MembershipChange,
    Region,
)
from association.meetings.models import AgendaItem, Decision, Meeting, MeetingInvitee, MinutesVersion
from association.notifications.models import MailOptOut, OutboxMessage
from association.programme.models import Association, Direction, Programme
from association.progress.models import FigureGeneration
from association.returns.models import AnnualReturn, FormField, FormRule, ReturnForm, ReturnHistory, ReturnReminder
from association.roadmap.models import CloseoutDecision, RoadmapTask, TaskHistory, TaskWatcher
from association.users.models import User, UserRole

__all__ = [
    "AgendaItem", "AnnualReturn", "ApiToken", "Association", "AuditEvent", "CloseoutDecision", "CommentMention",
    "Committee", "CommitteeMembership", "Decision", "Direction", "Document", "DocumentComment", "DocumentTask",
    "DocumentVersion", "FigureGeneration", "FormField", "FormRule", "IdentityGeneration", "Indicator", "LibraryProgress",
    "LibraryProgressHistory", "LoginFailure", "MailOptOut", "Meeting", "MeetingInvitee", "MemberLibrary",
    "MembershipChange", "MinutesVersion", "OutboxMessage", "PasswordResetToken", "PeerGroup", "PeerGroupMember",
    "Programme", "Region", "ReturnForm", "ReturnHistory", "ReturnReminder", "RoadmapTask", "StoredFile", "TaskComment",
    "TaskHistory", "TaskWatcher", "User", "UserSession",
    "UserRole",
]
