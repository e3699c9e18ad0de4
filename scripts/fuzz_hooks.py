"""Schemathesis hooks for scripts/fuzz-api.sh (loaded through SCHEMATHESIS_HOOKS).

Only one: long polls are kept short. `GET /v1/workflows/{id}?waitSeconds=N` may wait up to 60 s
by contract, and the generators like the boundaries (60) as much as anything; a handful of such
cases would spend the whole time budget of the CI step waiting. A valid `waitSeconds` above 1
becomes 1, which keeps it valid (the same class of input, the same code path), and invalid
values (negative, over 60, not a number) are left as generated, so the negative cases still
probe the limits.
"""

import schemathesis

MAX_FUZZ_WAIT_SECONDS = 1


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
    return case
