"""API shapes of the programme summary."""

import marshmallow as ma

from association.core.pagination import PageArgs
from association.core.schemas import QueryArgs


class YearArgs(QueryArgs):
    year = ma.fields.Integer(validate=ma.validate.Range(min=2000, max=2100),
                             metadata={"description": "Planned year of the tasks and reporting year of the returns"})


class TaskFiguresSchema(ma.Schema):
    total = ma.fields.Integer()
    by_status = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    overdue = ma.fields.Integer()
    progress_percent = ma.fields.Integer(metadata={"description": "Done ÷ tasks, cancelled left out"})


class CommitteeFiguresSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    short_name = ma.fields.String()
    tasks_total = ma.fields.Integer()
    tasks_by_status = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    progress_percent = ma.fields.Integer()


class LibraryFiguresSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    region = ma.fields.String()
    overall_percent = ma.fields.Integer()


class BandSchema(ma.Schema):
    band = ma.fields.String()
    libraries = ma.fields.Integer()


class RegionFiguresSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    libraries = ma.fields.Integer()
    progress_percent = ma.fields.Integer()


class CompletenessItemSchema(ma.Schema):
    library = ma.fields.String()
    status = ma.fields.String()
    submitted_at = ma.fields.DateTime(allow_none=True)


class CompletenessSchema(ma.Schema):
    year = ma.fields.Integer()
    due_on = ma.fields.Date(allow_none=True)
    expected = ma.fields.Integer()
    submitted = ma.fields.Integer()
    accepted = ma.fields.Integer()
    on_time = ma.fields.Integer()
    items = ma.fields.List(ma.fields.Nested(CompletenessItemSchema),
                           metadata={"description": "The same page of libraries as `libraries` (`expected` in all)"})


class ProgrammeArgs(YearArgs):
    programme = ma.fields.String(validate=ma.validate.Length(max=40),
                                 metadata={"description": "Programme code (default: the active one, else the newest)"})


class ProgressArgs(ProgrammeArgs, PageArgs):
    """The summary's per-library lists (`libraries`, `returns.items`) are paged: `page`, `per_page` as every list."""


class ProgrammeSummarySchema(ma.Schema):
    programme = ma.fields.String(allow_none=True, metadata={"description": "The programme's code"})
    year = ma.fields.Integer(allow_none=True)
    tasks = ma.fields.Nested(TaskFiguresSchema)
    committees = ma.fields.List(ma.fields.Nested(CommitteeFiguresSchema))
    libraries = ma.fields.List(ma.fields.Nested(LibraryFiguresSchema),
                               metadata={"description": "One page of the active member libraries, by code"})
    libraries_total = ma.fields.Integer(metadata={"description": "How many libraries the pages list"})
    page = ma.fields.Integer(metadata={"description": "The page of `libraries` and `returns.items`"})
    per_page = ma.fields.Integer()
    library_distribution = ma.fields.List(ma.fields.Nested(BandSchema))
    regions = ma.fields.List(ma.fields.Nested(RegionFiguresSchema))
    returns = ma.fields.Nested(CompletenessSchema, allow_none=True)
