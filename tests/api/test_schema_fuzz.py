"""Schemathesis against the OpenAPI schema: generated requests (valid and not) to every
operation, with the admin token so the admin handlers run too. No response may be a 500,
and every response must match the schema (status, content type, body). The requests are
counted per operation, and the last test checks that every operation was reached and that
at least 1,000 requests were made in all."""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from conftest_app import TOKEN, app_settings, build_library, make_app
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

EXAMPLES = 120  # per operation; the operations that take no input need only one or two
LEAST_REQUESTS = 1000
CALLS: Counter[str] = Counter()

# The schema is loaded from the app at import (schemathesis' fixture loader does not run on
# pytest 9); the app opens its index lazily, so the library is built by the fixture below.
DATA_DIR = Path(tempfile.mkdtemp(prefix="careguide-fuzz-"))
APP, ENGINE = make_app(app_settings(DATA_DIR))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def library() -> Iterator[None]:
    build_library(DATA_DIR, names=("004_80413ab7c43692f4.txt",))
    yield
    ENGINE.close()
    shutil.rmtree(DATA_DIR, ignore_errors=True)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_and_never_fails(case: schemathesis.Case) -> None:
    CALLS[f"{case.operation.method.upper()} {case.operation.path}"] += 1
    # Valid data may still be refused by design: an unknown passage id is 404.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKEN}"},
        excluded_checks=[positive_data_acceptance],
    )


def test_every_operation_got_requests_and_a_thousand_in_all() -> None:
    """Runs after the generated tests above (pytest keeps file order)."""
    if not CALLS:
        pytest.skip("run together with test_api_conforms_and_never_fails")
    operations = {
        f"{method.upper()} {path}"
        for path, item in APP.openapi()["paths"].items()
        for method in item
    }
    assert set(CALLS) == operations
    total = sum(CALLS.values())
    print(f"schemathesis: {total} requests over {len(CALLS)} operations: {dict(CALLS)}")
    assert total >= LEAST_REQUESTS
