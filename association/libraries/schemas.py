"""API shapes of member libraries and their progress."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from association.core.pagination import PageArgs
from association.libraries.models import LibraryType, MeasureStatus, MembershipStatus

MEASURE_STATUSES = [status.value for status in MeasureStatus]
MEMBERSHIP_STATUSES = [status.value for status in MembershipStatus]
LIBRARY_TYPES = [kind.value for kind in LibraryType]


class LibraryQueryArgs(PageArgs):
    region = ma.fields.String(validate=ma.validate.Length(max=10), metadata={"description": "Region code, e.g. AST"})
    city = ma.fields.String(validate=ma.validate.Length(max=100))
    type = ma.fields.String(validate=ma.validate.OneOf(LIBRARY_TYPES))
    status = ma.fields.String(validate=ma.validate.OneOf(MEMBERSHIP_STATUSES), metadata={"description": "Membership"})
    q = ma.fields.String(validate=ma.validate.Length(max=200))
    code = ma.fields.String(validate=ma.validate.Length(max=20))


class LibrarySchema(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String(metadata={"description": "In the user's language"})
    names = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    university = ma.fields.String()
    city = ma.fields.String()
    region = ma.fields.String(metadata={"description": "Region code"})
    type = ma.fields.String(metadata={"enum": LIBRARY_TYPES})
    membership_status = ma.fields.String(metadata={"enum": MEMBERSHIP_STATUSES})
    joined_on = ma.fields.Date(allow_none=True)
    left_on = ma.fields.Date(allow_none=True)
    website = ma.fields.String(allow_none=True)
    email = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    address = ma.fields.String(allow_none=True)
    overall_percent = ma.fields.Integer(metadata={"description": "Done ÷ applicable library-level measures"})
    version = ma.fields.Integer()


def library_item(described: dict[str, Any]) -> dict[str, Any]:
    """LibrarySchema's dump of a library as queries.describe_libraries describes it, written out (what the list
    answers for each library; tests/libraries check that both give the same document)."""
    joined_on, left_on = described["joined_on"], described["left_on"]
    return {
        **{name: described[name] for name in _PLAIN_LIBRARY_FIELDS},
        "joined_on": joined_on.isoformat() if joined_on is not None else None,
        "left_on": left_on.isoformat() if left_on is not None else None,
    }


_PLAIN_LIBRARY_FIELDS = ("id", "code", "name", "names", "university", "city", "region", "type", "membership_status",
                         "website", "email", "phone", "address", "overall_percent", "version")


class LibraryDefinitionArgs(ma.Schema):
    """A library's profile. The coordinator may send every field; a representative only the contact fields."""

    code = ma.fields.String(validate=[ma.validate.Length(min=1, max=20), ma.validate.Regexp(r"^[A-Za-z0-9_-]+$")])
    name_kk = ma.fields.String(validate=ma.validate.Length(min=1, max=300))
    name_ru = ma.fields.String(validate=ma.validate.Length(min=1, max=300))
    name_en = ma.fields.String(validate=ma.validate.Length(min=1, max=300))
    university = ma.fields.String(validate=ma.validate.Length(min=1, max=300))
    city = ma.fields.String(validate=ma.validate.Length(min=1, max=100))
    region = ma.fields.String(validate=ma.validate.Length(min=1, max=10))
    type = ma.fields.String(validate=ma.validate.OneOf(LIBRARY_TYPES))
    joined_on = ma.fields.Date(allow_none=True)
    website = ma.fields.Url(schemes={"http", "https"}, allow_none=True, validate=ma.validate.Length(max=500))
    email = ma.fields.Email(allow_none=True, validate=ma.validate.Length(max=254))
    phone = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=50))
    address = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=500))


class LibraryCreateArgs(LibraryDefinitionArgs):
    """A new member library: code, the three names, university, city, region and type are needed."""

    code = ma.fields.String(required=True, validate=[ma.validate.Length(min=1, max=20),
                                                     ma.validate.Regexp(r"^[A-Za-z0-9_-]+$")])
    name_kk = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))
    name_ru = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))
    name_en = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))
    university = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))
    city = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    region = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=10))
    type = ma.fields.String(required=True, validate=ma.validate.OneOf(LIBRARY_TYPES))


class MembershipArgs(ma.Schema):
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(MEMBERSHIP_STATUSES))
    effective_on = ma.fields.Date(required=True)
    reason = ma.fields.String(load_default="", validate=ma.validate.Length(max=5000))


class MeasureSchema(ma.Schema):
    task_id = ma.fields.Function(lambda measure: measure.task.id)
    task_code = ma.fields.Function(lambda measure: measure.task.code)
    title = ma.fields.Function(lambda measure: measure.task.title)
    status = ma.fields.Function(lambda measure: measure.status.value, metadata={"enum": MEASURE_STATUSES})
    evidence_url = ma.fields.String(allow_none=True)
    note = ma.fields.String()
    updated_at = ma.fields.DateTime(allow_none=True)
    updated_by = ma.fields.String(allow_none=True)
    confirmed_by = ma.fields.String(allow_none=True)
    confirmed_at = ma.fields.DateTime(allow_none=True)


class LibraryProgressSchema(ma.Schema):
    overall_percent = ma.fields.Integer()
    measures = ma.fields.List(ma.fields.Nested(MeasureSchema))


class MeasureArgs(ma.Schema):
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(MEASURE_STATUSES))
    evidence_url = ma.fields.Url(schemes={"http", "https"}, allow_none=True, load_default=None,
                                 validate=ma.validate.Length(max=2000))
    note = ma.fields.String(load_default="", validate=ma.validate.Length(max=5000))
