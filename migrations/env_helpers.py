"""What env.py and the tests share: how our column types are written into migrations."""

import sqlalchemy as sa


def render_item(type_, obj, autogen_context):
    """Write TypeDecorators (UTCDateTime, EnumText) as the plain types they store."""
    if type_ == "type" and isinstance(obj, sa.types.TypeDecorator):
        impl = obj.impl if isinstance(obj.impl, sa.types.TypeEngine) else obj.impl()
        if isinstance(impl, sa.DateTime):
            return f"sa.DateTime(timezone={impl.timezone!r})"
        if isinstance(impl, sa.String):
            return f"sa.String(length={impl.length!r})"
    return False
