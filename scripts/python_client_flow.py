#!/usr/bin/env python3
"""The flow a backend runs, through the Python client generated from docs/openapi.yaml.

  python_client_flow.py --url URL --key KEY      (scripts/test-python-client.sh runs it)

`caseworker_client` (the generated package) must be importable. The flow starts, in this process,
a stub provider (`POST /verify` answers `{"score": 72}`) and a webhook receiver that verifies every
delivery with the official Standard Webhooks package, then, through the generated client only:
registers a webhook endpoint, a case, a definition whose `http.request` step calls the stub, a
parameter set; starts a run, long-polls it to its end, reads its result and its execution
timeline, waits for the verified `workflow.completed` delivery and finds it in the attempt log;
and reads error answers as typed problems (404, 422 with pointers, 405). Every step checks the
typed values the client parsed, not raw JSON.

Prints one line per step and closes with 'python-client: N passed, N failed'; a failed step ends
the flow (the later ones depend on it) and counts the steps not run as failed.
"""

import argparse
import http.server
import json
import sys
import threading
import time
import traceback

import httpx
from standardwebhooks.webhooks import Webhook

from caseworker_client import AuthenticatedClient
from caseworker_client.api.cases import create_case, get_case
from caseworker_client.api.parameter_sets import create_parameter_set
from caseworker_client.api.webhook_deliveries import list_webhook_deliveries
from caseworker_client.api.webhook_endpoints import create_webhook_endpoint
from caseworker_client.api.workflow_definitions import put_workflow_definition
from caseworker_client.api.workflows import (
    get_workflow_run,
    get_workflow_run_execution,
    get_workflow_run_result,
    start_workflow_run,
)
from caseworker_client.models import (
    Case,
    CaseInput,
    CaseInputDataType0,
    CompleteConfigType0,
    CompleteStep,
    DeliveryStatus,
    Execution,
    HttpRequestConfig,
    HttpRequestStep,
    IntegerVariable,
    JumpRule,
    ParameterSet,
    ParameterSetInput,
    ParameterSetInputValuesType0,
    Problem,
    Run,
    RunResult,
    RunStart,
    RunStartResponse,
    RunStatus,
    SwitchConfig,
    SwitchStep,
    WebhookDeliveryList,
    WebhookEndpointCreate,
    WebhookEndpointWithSecret,
    WebhookEventType,
    WorkflowDefinition,
    WorkflowDefinitionInput,
    WorkflowDefinitionInputVariablesType0,
)

TERMINAL = {RunStatus.COMPLETED, RunStatus.FAILED, RunStatus.TIMED_OUT, RunStatus.CANCELLED}


class Local(http.server.ThreadingHTTPServer):
    """The stub provider and the webhook receiver, on one loopback port."""

    daemon_threads = True
    secret = None  # set once the endpoint exists
    calls = []  # Idempotency-Key of each POST /verify
    events = []  # verified webhook payloads
    rejected = []  # deliveries whose signature did not verify


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/verify":
            self.server.calls.append(self.headers.get("Idempotency-Key"))
            self.answer(200, b'{"score": 72}')
        elif self.path == "/hook":
            try:
                self.server.events.append(Webhook(self.server.secret).verify(body, dict(self.headers)))
                self.answer(204, b"")
            except Exception as error:  # noqa: BLE001 - any failure to verify is a rejection
                self.server.rejected.append(repr(error))
                self.answer(400, b"")
        else:
            self.answer(404, b"")

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def expect(condition, message):
    if not condition:
        raise AssertionError(message)


def parsed(response, status, kind):
    """The typed body of `response`, which must have `status` and be a `kind`."""
    expect(response.status_code == status, f"status {int(response.status_code)}, expected {status}: {response.content[:500]!r}")
    expect(isinstance(response.parsed, kind), f"parsed as {type(response.parsed).__name__}, expected {kind.__name__}")
    return response.parsed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", required=True)
    args = parser.parse_args()

    local = Local(("127.0.0.1", 0), Handler)
    threading.Thread(target=local.serve_forever, daemon=True).start()
    local_url = f"http://127.0.0.1:{local.server_address[1]}"
    # Long polls wait up to 30 s: the client's timeout must exceed that.
    client = AuthenticatedClient(base_url=args.url, token=args.key, timeout=httpx.Timeout(60.0))
    state = {}

    def webhook_endpoint():
        created = parsed(create_webhook_endpoint.sync_detailed(client=client, body=WebhookEndpointCreate(
            url=f"{local_url}/hook", description="python client flow", events=[WebhookEventType.WORKFLOW_COMPLETED])), 201, WebhookEndpointWithSecret)
        expect(created.secret.startswith("whsec_"), "the create answer shows the secret")
        expect(created.events == [WebhookEventType.WORKFLOW_COMPLETED], f"events {created.events}")
        local.secret = created.secret
        state["endpoint"] = created.id

    def case():
        created = parsed(create_case.sync_detailed(client=client, body=CaseInput(
            external_id="crm-4411", first_name="Ada", last_name="Lovelace", email="ada@example.com",
            data=CaseInputDataType0.from_dict({"tier": "gold"}))), 201, Case)
        expect(created.last_name == "Lovelace" and created.erased_at is None, f"case {created}")
        expect(created.data.additional_properties == {"tier": "gold"}, f"data {created.data}")
        state["case"] = created.id

    def definition():
        variables = WorkflowDefinitionInputVariablesType0()
        variables["threshold"] = IntegerVariable(type_="integer", default=50)
        body = WorkflowDefinitionInput(name="Customer verification", is_draft=False, variables=variables, steps=[
            HttpRequestStep(id="verify", action="http.request", config=HttpRequestConfig(
                method="POST", url=f"{local_url}/verify", body={"name": "${case.lastName}"}, timeout_seconds=10)),
            SwitchStep(id="decide", action="switch",
                       config=SwitchConfig(value="${steps.verify.output.body.score >= params.threshold}"),
                       next_=[JumpRule(code="true", step_id="approve")]),
            CompleteStep(id="refer", action="complete", config=CompleteConfigType0(result={"decision": "refer"})),
            CompleteStep(id="approve", action="complete", config=CompleteConfigType0(
                result={"decision": "approve", "score": "${steps.verify.output.body.score}"})),
        ])
        saved = parsed(put_workflow_definition.sync_detailed("kyc-check", client=client, body=body), 201, WorkflowDefinition)
        expect(saved.version == 1 and not saved.is_draft, f"version {saved.version}, draft {saved.is_draft}")
        expect([step.action for step in saved.steps] == ["http.request", "switch", "complete", "complete"], "steps as saved")

    def parameter_set():
        values = ParameterSetInputValuesType0.from_dict({"threshold": 60})
        created = parsed(create_parameter_set.sync_detailed(client=client, body=ParameterSetInput(
            workflow_definition_id="kyc-check", values=values)), 201, ParameterSet)
        expect(created.version == 1, f"version {created.version}")
        state["parameters"] = created.id

    def run():
        started = parsed(start_workflow_run.sync_detailed(client=client, idempotency_key="python-flow-1", body=RunStart(
            case_id=state["case"], workflow_definition_id="kyc-check", parameters_id=state["parameters"],
            correlation_id="order-7")), 201, RunStartResponse)
        expect(started.status == RunStatus.PENDING, f"status {started.status}")
        state["run"] = started.id

    def long_poll():
        deadline = time.monotonic() + 60
        status = RunStatus.PENDING
        polls = 0
        while status not in TERMINAL:
            expect(time.monotonic() < deadline, f"the run is still {status} after 60 s")
            current = parsed(get_workflow_run.sync_detailed(
                state["run"], client=client, wait_seconds=30, unless_status=status), 200, Run)
            status = current.status
            polls += 1
        expect(status == RunStatus.COMPLETED, f"the run ended {status}: {current.error}")
        expect(current.correlation_id == "order-7" and current.finished_at is not None, f"run {current}")
        print(f"python-client:   {polls} long polls")

    def result():
        answer = parsed(get_workflow_run_result.sync_detailed(state["run"], client=client), 200, RunResult)
        expect(answer.result == {"decision": "approve", "score": 72}, f"result {answer.result}")
        expect(answer.error is None, f"error {answer.error}")

    def execution():
        timeline = parsed(get_workflow_run_execution.sync_detailed(state["run"], client=client), 200, Execution)
        steps = [(task.step_id, task.action, task.status.value) for task in timeline.tasks]
        expect(steps == [("verify", "http.request", "OK"), ("decide", "switch", "OK"), ("approve", "complete", "OK")], f"tasks {steps}")
        verify = timeline.tasks[0]
        expect(verify.output["body"] == {"score": 72}, f"the provider's answer {verify.output}")
        expect(timeline.execution_queue == [] and timeline.finished is not None, "nothing left to run")
        expect(local.calls == [f"{state['run']}:verify:1"], f"the provider was called with {local.calls}")

    def webhook():
        deadline = time.monotonic() + 30
        while not local.events:
            expect(not local.rejected, f"a delivery failed to verify: {local.rejected}")
            expect(time.monotonic() < deadline, "no verified webhook within 30 s")
            time.sleep(0.05)
        event = local.events[0]
        expect(event["type"] == "workflow.completed", f"type {event['type']}")
        expect(event["data"]["id"] == state["run"] and event["data"]["result"] == {"decision": "approve", "score": 72}, f"data {event}")
        while True:
            page = parsed(list_webhook_deliveries.sync_detailed(client=client, endpoint_id=state["endpoint"]), 200, WebhookDeliveryList)
            if page.items and page.items[0].status == DeliveryStatus.SUCCEEDED:
                break
            expect(time.monotonic() < deadline, f"the delivery is not SUCCEEDED: {page.items}")
            time.sleep(0.05)
        expect(page.items[0].event_type == WebhookEventType.WORKFLOW_COMPLETED, "the delivery's event type")

    def problems():
        missing = parsed(get_case.sync_detailed("01JDX3S5V7Q0B6W3T0M4E9K2ZP", client=client), 404, Problem)
        expect(missing.status == 404 and missing.type_ == "urn:caseworker:problem:not-found", f"problem {missing}")
        expect(missing.instance and missing.detail, "instance and detail")
        invalid = parsed(create_case.sync_detailed(client=client, body=CaseInput(email="not an address")), 422, Problem)
        expect(invalid.type_ == "urn:caseworker:problem:validation-failed", f"type {invalid.type_}")
        expect([error.property_ for error in invalid.errors] == ["/email"], f"errors {invalid.errors}")
        early = parsed(get_workflow_run_result.sync_detailed("01JDX3S5V7Q0B6W3T0M4E9K2ZP", client=client), 404, Problem)
        expect(early.type_.endswith(":not-found"), f"type {early.type_}")
        wrong_method = parsed(get_workflow_run.sync_detailed("run", client=client), 405, Problem)
        expect(wrong_method.type_.endswith(":method-not-allowed"), f"type {wrong_method.type_}")

    steps = [webhook_endpoint, case, definition, parameter_set, run, long_poll, result, execution, webhook, problems]
    passed = failed = 0
    for index, step in enumerate(steps):
        started = time.monotonic()
        try:
            step()
        except Exception:  # noqa: BLE001 - report and stop
            failed = len(steps) - index
            print(f"python-client: FAILED {step.__name__}:", file=sys.stderr)
            traceback.print_exc()
            break
        passed += 1
        print(f"python-client: ok {step.__name__} ({time.monotonic() - started:.2f} s)")
    local.shutdown()
    print(f"python-client: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
