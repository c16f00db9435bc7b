"""Every operation of the OpenAPI document, fuzzed with Schemathesis against the real server.

The app runs on the demo rules (a copy in a temp git repository) and a demo ERP, under
uvicorn on 127.0.0.1; an admin key acting as a person is sent with every request, so every
route does its real work. Per operation a fixed number of well-formed and of malformed
requests is generated from a fixed seed (no shrinking, no example database): the run is
bounded and repeatable. Every answer must be below 500 and match the documented schema.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from badinput_support import Served, served_demo

EXAMPLES = {GenerationMode.POSITIVE: 15, GenerationMode.NEGATIVE: 10}  # per operation
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
SHOWN = 3  # failures reported per operation
AUTH = {"authorization", "x-api-key"}


@dataclass
class Tally:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: dict[str, list[str]] = field(default_factory=dict)
    by_operation: defaultdict[str, Counter[int]] = field(
        default_factory=lambda: defaultdict(Counter)
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    with served_demo(tmp_path_factory, "badinput-schema") as running:
        yield running


def closed_objects(document: dict[str, Any]) -> dict[str, Any]:
    """The document with `additionalProperties: false` on every object type it declares: the
    server refuses unknown fields (msgspec `forbid_unknown_fields`) but the generated document
    does not say so, and well-formed requests would otherwise carry made-up fields."""
    for component in document.get("components", {}).get("schemas", {}).values():
        if component.get("type") == "object" and "properties" in component:
            component.setdefault("additionalProperties", False)
    return document


def fuzz(operation: Any, mode: GenerationMode, served: Served, tally: Tally, session: Any) -> None:
    label = f"{operation.label} ({mode.value})"

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES[mode],
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        if mode is GenerationMode.POSITIVE and case.headers:  # our key, not a generated one
            case.headers = {k: v for k, v in case.headers.items() if k.lower() not in AUTH}
        response = case.call(base_url=served.base, headers=served.headers, session=session)
        tally.requests += 1
        tally.statuses[response.status_code] += 1
        tally.by_operation[operation.label][response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=served.headers)
        except (AssertionError, FailureGroup) as failure:
            found = tally.failures.setdefault(label, [])
            if len(found) < SHOWN:
                found.append(f"{response.status_code}: {str(failure)[:600]}")

    try:
        run()
    except Unsatisfiable:  # nothing about the operation can be malformed (no input at all)
        assert mode is GenerationMode.NEGATIVE, label


@pytest.mark.slow
def test_no_operation_answers_5xx_or_off_schema(served: Served) -> None:
    document = httpx.get(f"{served.base}/schema/openapi.json", timeout=10).json()
    schema = schemathesis.openapi.from_dict(closed_objects(document))
    tally = Tally()
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    with requests.Session() as session:
        for operation in operations:
            for mode in EXAMPLES:
                fuzz(operation, mode, served, tally, session)
    seconds = time.monotonic() - started
    print(
        f"schemathesis: {tally.requests} requests over {len(operations)} operations in "
        f"{seconds:.1f} s; statuses {dict(sorted(tally.statuses.items()))}"
    )
    for label, counts in tally.by_operation.items():
        print(f"  {label}: {dict(sorted(counts.items()))}")
    report = "\n".join(f"{label}:\n  " + "\n  ".join(f) for label, f in tally.failures.items())
    assert not tally.failures, report
    assert not [status for status in tally.statuses if status >= 500]
    assert tally.statuses[200] + tally.statuses[201] > 0  # some requests did real work
