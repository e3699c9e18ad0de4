"""Schemathesis hooks and checks for scripts/fuzz-api.sh (loaded through SCHEMATHESIS_HOOKS).

1. A workaround for a crash of schemathesis 4.32.5 itself (the pinned version): while looking
   for links, it runs `urllib.parse.urlsplit` over every string of a 2xx JSON body that starts
   with `http://`, and `urlsplit` raises ValueError for a bracketed host that is no IP address
   (`http://[F:90ec]/`). Our API echoes such strings back (free-form case `data`, an
   `http.request` step's URL template), so the run aborted with "An internal error occurred"
   at random, depending on what the workers generated. Such a string is simply not a link.

2. Long polls are kept short. `GET /v1/workflows/{id}?waitSeconds=N` and `POST /v1/tasks/poll
{waitSeconds: N}` may wait up to 60 s by contract, and the generators like the boundaries (60) as much as anything; a handful of such
cases would spend the whole time budget of the CI step waiting. A valid `waitSeconds` above 1
becomes 1, which keeps it valid (the same class of input, the same code path), and invalid
values (negative, over 60, not a number) are left as generated, so the negative cases still
probe the limits.

3. A check, `problem_matches_its_response`: every error response of docs/openapi.yaml references
the one `Problem` schema (which client generators type well) and lists the problem types it
answers with in `x-problem-types`. The check holds every problem answer to that: its `status`
member is the HTTP status, and its `type` is `urn:caseworker:problem:<slug>` for a slug the
documented response lists (405 answers to undocumented methods: `method-not-allowed`).
"""

import json

import schemathesis
from schemathesis.engine import observations

MAX_FUZZ_WAIT_SECONDS = 1

_same_origin_path = observations._same_origin_path


def _same_origin_path_or_none(value, origin):
    try:
        return _same_origin_path(value, origin)
    except ValueError:
        return None


observations._same_origin_path = _same_origin_path_or_none


def _shortened(value):
    try:
        number = int(value) if not isinstance(value, bool) else None
    except (TypeError, ValueError):
        return value
    if number is None or str(number) != str(value).strip():
        return value
    if MAX_FUZZ_WAIT_SECONDS < number <= 60:
        return MAX_FUZZ_WAIT_SECONDS if isinstance(value, int) else str(MAX_FUZZ_WAIT_SECONDS)
    return value


@schemathesis.hook
def map_case(context, case):
    query = case.query
    if isinstance(query, dict) and "waitSeconds" in query:
        value = query["waitSeconds"]
        if isinstance(value, list):
            query["waitSeconds"] = [_shortened(item) for item in value]
        else:
            query["waitSeconds"] = _shortened(value)
    body = case.body
    if isinstance(body, dict) and "waitSeconds" in body:
        value = body["waitSeconds"]
        # A JSON number, integral or not (54.0 reads as 54): shortened like a query's text.
        if isinstance(value, (int, float)) and not isinstance(value, bool) and MAX_FUZZ_WAIT_SECONDS < value <= 60:
            body["waitSeconds"] = MAX_FUZZ_WAIT_SECONDS
    return case


PROBLEM_TYPE_PREFIX = "urn:caseworker:problem:"


def _documented_response(operation, status):
    """The response object the operation documents for `status` ($ref resolved), or None."""
    responses = operation.definition.raw.get("responses", {})
    response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX") or responses.get("default")
    while isinstance(response, dict) and "$ref" in response:
        target = operation.schema.raw_schema
        for part in response["$ref"].lstrip("#/").split("/"):
            target = target.get(part, {})
        # A $ref beside other members (a `description`) keeps the target's members.
        response = target
    return response


@schemathesis.check
def problem_matches_its_response(ctx, response, case):
    """A problem answer's `status` is the HTTP status and its `type` a slug its response documents."""
    content_type = (response.headers.get("content-type") or [""])[0].split(";")[0].strip()
    if content_type != "application/problem+json":
        return None
    try:
        problem = json.loads(response.content)
    except ValueError:
        return None  # the schema checks report a body that is not JSON
    if not isinstance(problem, dict):
        return None
    if problem.get("status") != response.status_code:
        raise AssertionError(f"problem status {problem.get('status')!r} differs from the HTTP status {response.status_code}")
    documented = _documented_response(case.operation, response.status_code)
    if documented is None:
        if response.status_code != 405:
            return None  # status_code_conformance reports an undocumented status
        slugs = ["method-not-allowed"]
    else:
        slugs = documented.get("x-problem-types")
        if not slugs:
            raise AssertionError(f"the documented {response.status_code} response lists no x-problem-types")
    allowed = [PROBLEM_TYPE_PREFIX + slug for slug in slugs]
    if problem.get("type") not in allowed:
        raise AssertionError(f"problem type {problem.get('type')!r} is not one of {', '.join(allowed)} "
                             f"(the documented {response.status_code} response's x-problem-types)")
    return None
