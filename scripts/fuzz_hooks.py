"""Schemathesis hooks for scripts/fuzz-api.sh (loaded through SCHEMATHESIS_HOOKS).

1. A workaround for a crash of schemathesis 4.32.5 itself (the pinned version): while looking
   for links, it runs `urllib.parse.urlsplit` over every string of a 2xx JSON body that starts
   with `http://`, and `urlsplit` raises ValueError for a bracketed host that is no IP address
   (`http://[F:90ec]/`). Our API echoes such strings back (free-form case `data`, an
   `http.request` step's URL template), so the run aborted with "An internal error occurred"
   at random, depending on what the workers generated. Such a string is simply not a link.

2. Long polls are kept short. `GET /v1/workflows/{id}?waitSeconds=N` may wait up to 60 s
by contract, and the generators like the boundaries (60) as much as anything; a handful of such
cases would spend the whole time budget of the CI step waiting. A valid `waitSeconds` above 1
becomes 1, which keeps it valid (the same class of input, the same code path), and invalid
values (negative, over 60, not a number) are left as generated, so the negative cases still
probe the limits.
"""

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
    return case
