"""schemathesis against the service's own OpenAPI document: no input makes a server error."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from seamline.api import create_app
from seamline.api.keys import KeyStore

EXAMPLES = 15  # per operation: bounded so the test stays fast
SLOW = {"/v1/segments/run", "/v1/models/fit"}


def _fuzz(ws: Path, checks: list[Any], examples: int) -> list[str]:
    """Failures of `checks` over every operation but the slow ones, `examples` each."""
    _, key = KeyStore(ws).create(["admin"])
    # The demo workspace has a fitted recommender and segments: every route does real work.
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(ws))
    headers = {"Authorization": f"Bearer {key}"}
    failures: list[str] = []
    operations = [
        op
        for op in (result.ok() for result in schema.get_all_operations())
        if op.path not in SLOW  # refits and re-segmentations: covered by test_service
    ]
    assert len(operations) >= 15
    for op in operations:

        @given(case=op.as_strategy())
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=checks)

        try:
            run()
        except (Exception, BaseExceptionGroup) as e:  # collect every operation's failures
            failures.append(f"{op.label}: {str(e)[:2000]}")
    return failures


def test_no_server_errors(demo_ws_template: Path, tmp_path: Path) -> None:
    ws = Path(shutil.copytree(demo_ws_template, tmp_path / "ws"))
    failures = _fuzz(ws, [not_a_server_error], EXAMPLES)
    assert not failures, "\n\n".join(failures)


def test_answers_match_the_openapi_document(demo_ws_template: Path, tmp_path: Path) -> None:
    """Each answer's status is declared and its body has the declared schema."""
    ws = Path(shutil.copytree(demo_ws_template, tmp_path / "ws"))
    checks = [response_schema_conformance, status_code_conformance, content_type_conformance]
    failures = _fuzz(ws, checks, 5)
    assert not failures, "\n\n".join(failures)
