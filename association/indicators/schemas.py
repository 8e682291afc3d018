"""API shapes of indicators, benchmarks and peer groups."""

from __future__ import annotations

import marshmallow as ma

from association.core.pagination import PageArgs
from association.core.schemas import QueryArgs
from association.indicators.models import Direction

GROUP_HELP = ("`type`, `region` or `size` (the library's own; default `size`: students FTE < 2,000, 2,000–4,999, "
              "5,000–9,999, ≥ 10,000 from its return of the year), a kind with a value (`type:state`, "
              "`region:ALA`, `size:2000_4999`), or the id of a custom peer group you may use. Anything else: 422.")


class IndicatorSchema(ma.Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    name = ma.fields.String(metadata={"description": "In the user's language"})
    names = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    description = ma.fields.String()
    numerator = ma.fields.String(metadata={"description": "An expression over form field codes (+ - * /)"})
    denominator = ma.fields.String(allow_none=True, metadata={"description": "null: the numerator alone"})
    factor = ma.fields.Integer(metadata={"description": "value = numerator ÷ denominator × factor"})
    unit = ma.fields.String()
    direction = ma.fields.String(metadata={"enum": [d.value for d in Direction]})
    standard = ma.fields.String(metadata={"description": "ISO 11620 or ACRL, and the indicator's name there"})


class YearGroupArgs(QueryArgs):
    year = ma.fields.Integer(validate=ma.validate.Range(min=2000, max=2100),
                             metadata={"description": "Reporting year (default: the latest with values)"})
    group = ma.fields.String(validate=ma.validate.Length(max=40), metadata={"description": GROUP_HELP})
    include_submitted = ma.fields.Boolean(load_default=False, metadata={
        "description": "Also count submitted, not yet accepted returns (their values are marked provisional)"})


class NamedValueSchema(ma.Schema):
    library = ma.fields.String(metadata={"description": "Library code"})
    library_id = ma.fields.Integer()
    name = ma.fields.String()
    value = ma.fields.Float(allow_none=True)
    available = ma.fields.Boolean()
    provisional = ma.fields.Boolean()
    group = ma.fields.String(allow_none=True, metadata={"description": "The library's type, region or size band"})


class NamedValuesSchema(ma.Schema):
    indicator = ma.fields.String()
    year = ma.fields.Integer()
    group = ma.fields.Raw()
    items = ma.fields.List(ma.fields.Nested(NamedValueSchema))


class PeersSchema(ma.Schema):
    count = ma.fields.Integer()
    median = ma.fields.Float()
    q1 = ma.fields.Float()
    q3 = ma.fields.Float()
    min = ma.fields.Float()
    max = ma.fields.Float()


class BenchmarkLineSchema(ma.Schema):
    code = ma.fields.String()
    value = ma.fields.Float(allow_none=True)
    available = ma.fields.Boolean()
    provisional = ma.fields.Boolean()
    peers = ma.fields.Nested(PeersSchema, allow_none=True, metadata={
        "description": "null when fewer than k (5) peers have a value"})
    percentile = ma.fields.Float(allow_none=True, metadata={
        "description": "0–100, the inverse of the inclusive quantile function over the peers' values"})


class BenchmarkSchema(ma.Schema):
    library = ma.fields.String()
    year = ma.fields.Integer()
    group = ma.fields.Raw(metadata={"description": "The group as asked (a kind, or a custom group's id)"})
    group_name = ma.fields.String()
    quartile_method = ma.fields.String()
    min_peers = ma.fields.Integer()
    indicators = ma.fields.List(ma.fields.Nested(BenchmarkLineSchema))


class PeerGroupSchema(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    libraries = ma.fields.List(ma.fields.String(), metadata={"description": "Library codes"})
    owner = ma.fields.Integer(allow_none=True, metadata={"description": "The id of the user who saved it"})
    shared = ma.fields.Boolean(metadata={"description": "A coordinator's group, open to every reader"})


class PeerGroupArgs(ma.Schema):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    libraries = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=20)), required=True,
                               validate=ma.validate.Length(min=1, max=2000))


class ListArgs(PageArgs):
    pass
