"""A schemathesis round with hostile bodies: every operation that takes JSON gets cases generated from its own
description, then sent nested past the depth limit, with lone surrogates in its strings or keys, or as invalid
UTF-8. Each answer is a 400 problem+json within 2 s (never a 5xx), whoever sends it."""

from __future__ import annotations

import json
import os
import time  # CPU time of this process (the test client runs in it): a loaded machine does not inflate it
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from association.core.parsing import MAX_JSON_DEPTH
from association.users.models import Role
from tests.conftest import api_token
from tests.factories import make_user
from tests.security.test_api_fuzzing import _DESCRIPTION

with _DESCRIPTION.app_context():
    from association.extensions import api as _api

    BODY_OPERATIONS = sorted(
        f"{method.upper()} {path}" for path, item in _api.spec.to_dict()["paths"].items()
        for method, operation in item.items()
        if method in ("post", "put", "patch") and "application/json" in operation.get("requestBody", {}).get(
            "content", {}))
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
MUTATIONS = ("deep", "deep_inside", "surrogate", "surrogate_key", "invalid_utf8")


def _with_surrogates(value: Any, in_keys: bool) -> Any:
    if isinstance(value, dict):
        mutated = {(k + "\ud800" if in_keys else k): _with_surrogates(v, in_keys) for k, v in value.items()}
        return mutated or {"\udc00" if in_keys else "x": "\ud800"}
    if isinstance(value, list):
        return [_with_surrogates(v, in_keys) for v in value] or ["\udfff"]
    if isinstance(value, str):
        return value + "\ud83d"
    return value


def hostile(body: Any, mutation: str, depth: int) -> bytes:
    """The case's body made hostile (json.dumps writes lone surrogates as \\udXXX escapes, as an attacker would)."""
    if mutation == "deep":
        return b"[" * depth + json.dumps(body).encode() + b"]" * depth
    if mutation == "deep_inside":
        nested = b"{\"a\": " * depth + b"1" + b"}" * depth
        return b'{"x": ' + nested + b', "y": ' + json.dumps(body).encode() + b"}"
    if mutation == "invalid_utf8":
        return json.dumps(body).encode()[:-1] + b'"\xff\xfe\xc3"' + b"}" if isinstance(body, dict) else b'"\xff"'
    in_keys = mutation == "surrogate_key"
    mutated = _with_surrogates(body if body is not None else {}, in_keys)
    if isinstance(mutated, dict):
        mutated["\udbff" if in_keys else "note"] = "\ud800"  # at least one, whatever the case holds
    else:
        mutated = {"\udbff" if in_keys else "note": "\ud800", "value": mutated}
    return json.dumps(mutated).encode()


@pytest.mark.parametrize("label", BODY_OPERATIONS)
def test_hostile_bodies_are_400_problems(app, label):
    account = make_user(app, Role.ADMIN)
    client = app.test_client()
    headers = api_token(client, account.email, account.password)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    method, path = label.split(" ", 1)
    operation = schema[path][method]

    @given(case=operation.as_strategy(), mutation=st.sampled_from(MUTATIONS),
           depth=st.integers(min_value=MAX_JSON_DEPTH + 1, max_value=60_000))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None,
              derandomize=not os.environ.get("FUZZ_RANDOM"))
    def check(case, mutation, depth):
        body = hostile(case.body if isinstance(case.body, dict | list | str | int | float) else {}, mutation, depth)
        started = time.process_time()
        response = client.open(case.formatted_path, method=method, query_string=case.query, data=body,
                               headers={**headers, "Content-Type": "application/json", "If-Match": '"x-1-v1"'})
        elapsed = time.process_time() - started
        assert response.status_code == 400, (mutation, response.status_code, response.get_data(as_text=True)[:300])
        assert response.mimetype == "application/problem+json"
        assert elapsed < 2, (mutation, elapsed)

    check()
