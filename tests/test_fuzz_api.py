"""The API fuzzed from its own OpenAPI description by schemathesis: no input earns a 5xx, and
every error answers in the one JSON error shape. Bounded: FUZZ_EXAMPLES cases per operation."""

from __future__ import annotations

import os

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings

from service.openapi import document

pytestmark = pytest.mark.neo4j

FUZZ_EXAMPLES = int(os.environ.get("INTERESTS_FUZZ_EXAMPLES", "12"))


def test_no_input_earns_a_server_error(app: Flask, admin_token: str, prefix: str) -> None:
    headers = {"Authorization": f"Bearer {admin_token}"}
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    described = sum(len(methods) for methods in document(app)["paths"].values())
    assert len(operations) == described - 1  # all but /openapi.json itself

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def fuzz(case: schemathesis.Case) -> None:
            response = case.call(headers=headers)
            where = f"{case.method} {case.formatted_path}"
            assert response.status_code < 500, (where, response.text[:500])
            if response.status_code >= 400:
                error = response.json()["error"]
                assert error["code"] and error["message"] and isinstance(error["details"], list)

        fuzz()
