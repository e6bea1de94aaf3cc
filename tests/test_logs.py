"""Log lines: JSON with the request's id (echoed in X-Request-ID), and never a client's data."""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
import sys

import pytest

from linkage import logs
from tests.test_referrals_api import AHC_FOOD_AND_UTILITIES


class Captured:
    """What the root logger wrote through the service's JSON formatter, at DEBUG."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    def text(self) -> str:
        return self.stream.getvalue()

    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.text().splitlines()]

    def clear(self) -> None:
        self.stream.seek(0)
        self.stream.truncate()


@pytest.fixture
def logged():
    captured = Captured()
    handler = logging.StreamHandler(captured.stream)
    handler.setFormatter(logs.JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)  # whatever a deployer sets, nothing below may leak
    yield captured
    root.removeHandler(handler)
    root.setLevel(level)


def test_every_line_of_a_request_carries_the_id_its_response_header_gives(client, logged):
    logged.clear()
    response = client.get("/v1/search", query_string={"near": "60623", "q": "food pantry"})
    assert response.status_code == 200
    request_id = response.headers["X-Request-ID"]
    lines = logged.lines()
    assert lines and {line["request_id"] for line in lines} == {request_id}
    last = lines[-1]
    assert last["logger"] == "linkage.requests" and last["level"] == "INFO"
    assert (last["method"], last["path"], last["status"]) == ("GET", "/v1/search", 200)
    assert {"time", "message", "duration_ms"} <= set(last)


def test_a_callers_safe_request_id_is_kept_and_any_other_replaced(client, logged):
    kept = client.get("/healthz", headers={"X-Request-ID": "case-42.retry:1"})
    assert kept.headers["X-Request-ID"] == "case-42.retry:1"
    assert logged.lines()[-1]["request_id"] == "case-42.retry:1"
    for unsafe in ('x", "level": "ERROR', "a" * 65, ""):
        replaced = client.get("/healthz", headers={"X-Request-ID": unsafe})
        assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["X-Request-ID"])
        assert logged.lines()[-1]["request_id"] == replaced.headers["X-Request-ID"]
    assert client.get("/healthz").headers["X-Request-ID"] != replaced.headers["X-Request-ID"]


def test_no_query_string_answer_or_client_attribute_reaches_a_line(client, logged):
    searched = client.get(
        "/v1/search", query_string={"q": "zebrafinch pantry", "age": 97, "near": "60623"}
    )
    assert searched.status_code == 200
    body = {
        "assessment": AHC_FOOD_AND_UTILITIES,
        "client": {"near": "60639", "age": 71, "income": 23456, "household_size": 2},
    }
    assert client.post("/v1/match", json=body).status_code == 200
    lines = logged.lines()
    assert [line["path"] for line in lines if "path" in line] == ["/v1/search", "/v1/match"]
    text = logged.text()
    for secret in ("zebrafinch", "60623", "60639", "23456", "LA28397-0", "LA33-6"):
        assert secret not in text
    assert not re.search(r"age\W{0,3}(97|71)", text)


def test_a_jobs_lines_carry_its_id_and_only_safe_fields(logged):
    log = logging.getLogger("linkage.worker")
    with logs.context(job_id="job-7", source="eastside"):
        log.info("import job %s started", "job-7", extra={"status": "running", "age": 40})
    log.info("between jobs")
    inside, outside = logged.lines()[-2:]
    assert (inside["job_id"], inside["source"], inside["status"]) == (
        "job-7",
        "eastside",
        "running",
    )
    assert "age" not in inside  # a field outside logs.SAFE_FIELDS is never written
    assert "job_id" not in outside
    with pytest.raises(ValueError, match="not a safe log field: income"), logs.context(income=1):
        pass


def test_an_exceptions_line_has_its_type_and_stack_but_not_its_text(logged):
    income = 23456
    try:
        raise ValueError(f"client income {income}")
    except ValueError:
        logging.getLogger("linkage.worker").exception("import job failed")
    line = logged.lines()[-1]
    assert line["exception"] == "ValueError" and "test_logs.py" in line["stack"]
    assert "23456" not in logged.text()


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_configure_installs_one_handler_however_often_it_is_called(log_format):
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        logs.configure(log_format)
        logs.configure(log_format)
        added = [h for h in root.handlers if h not in before]
        assert len(added) == 1
        assert isinstance(added[0].formatter, logs.FORMATTERS[log_format])
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
    with pytest.raises(ValueError, match="log format 'xml'"):
        logs.configure("xml")


def test_a_librarys_import_time_basic_config_does_not_print_every_line_twice():
    # wordllama calls logging.basicConfig(level=INFO) when imported: the importer then printed
    # each line twice, once unformatted with its traceback.
    script = (
        "import logging, wordllama\n"
        "from linkage import logs\n"
        "logs.configure('text')\n"
        "logging.getLogger('indexer.load').warning('bulk send failed')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stderr.count("bulk send failed") == 1, done.stderr
