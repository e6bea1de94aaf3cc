"""schemathesis against the app's own OpenAPI document: no 5xx, no response outside its schema.

Every operation is called with generated inputs (in-process, through WSGI, with the real node
behind it). Statuses the app documents for semantic checks the schema cannot express (an
unknown ZIP is a 400) are allowed; a server error or a body that breaks the documented shape
is not.
"""

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from linkage.app import create_app
from linkage.config import Settings
from tests.conftest import TEST_ALIAS, WEDNESDAY_AFTERNOON
from tests.servers import TEST_KEY, write_test_keys

_KEYS = Path(tempfile.mkdtemp(prefix="linkage-fuzz-"))
APP = create_app(
    {
        "SETTINGS": Settings.from_env(
            index_alias=TEST_ALIAS, partner_keys=str(write_test_keys(_KEYS))
        ),
        "CLOCK": lambda: WEDNESDAY_AFTERNOON,
    }
)
# Imports write to the index and spool uploads; their errors are tested on their own.
schema = schemathesis.openapi.from_wsgi("/openapi.json", APP).exclude(path_regex=r"^/v1/imports")


@pytest.fixture(autouse=True, scope="module")
def _sample_loaded(sample_index):
    """The sample directory is in the test alias before any call."""


@schema.parametrize()
@hypothesis_settings(
    max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
def test_no_server_error_and_responses_match_the_schema(case):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TEST_KEY}"},
        checks=[
            not_a_server_error,
            response_schema_conformance,
            status_code_conformance,
            content_type_conformance,
        ],
    )
