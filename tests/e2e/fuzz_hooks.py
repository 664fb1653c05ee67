"""schemathesis hooks for tests/e2e/fuzz.rs: the rules the API states in words because OpenAPI 3.1
cannot state them in a schema (how two parameters relate, what a signed token or a position in
the log must be). A request that breaks one of them is schema-valid, and the API refuses it with a
400 naming the field; the fuzzer's "valid data must be accepted" check would count that as a
failure. This hook drops exactly those failures: a 400 whose every field error is one of the
rules below, word for word as the API answers it. Anything else still fails the run.
"""

import json
import re

import schemathesis

# (field, the start of the API's message): each rule, and where the document says it. A field
# ending in `]` stands for that field of any item (`organizations[3].roles[1].slug`).
RULES = [
    # Paging: `before` and `after` together (the parameters' descriptions).
    ("before", "cannot be combined with `after`"),
    ("after", "cannot be combined with `before`"),
    # A cursor is signed by the list that issued it (any other string is refused).
    ("before", "is not a cursor this list issued"),
    ("after", "is not a cursor this list issued"),
    # Read-your-writes past the end of the log: the position was never returned.
    ("min_position", "no event has position"),
    # Claims are read for exactly one subject.
    ("user_id", "required: the user (or `application_id`)"),
    ("application_id", "give either `user_id` or `application_id`, not both"),
    # An organization's members as they were (`as_of`) are filtered by `status` only (the route's
    # description).
    ("role", "cannot be combined with as_of (only status can)"),
    ("group_id", "cannot be combined with as_of (only status can)"),
    ("user_id", "cannot be combined with as_of (only status can)"),
    ("application_id", "cannot be combined with as_of (only status can)"),
    ("attr.*", "cannot be combined with as_of (only status can)"),
    ("role_source", "cannot be combined with as_of (only status can)"),
    ("source", "cannot be combined with as_of (only status can)"),
    # Time ranges and replay ranges run forwards.
    ("range_end", "must be after range_start"),
    ("to_position", "must not be below from_position"),
    # Joining through an email's domain is for one user, with the domain's roles (the `email`
    # field's description).
    ("email", "joining through an email's domain is for"),
    ("roles", "joining through an email's domain gives the domain's default roles"),
    # A domain name is checked against IDNA and the public suffix list (the schema's description).
    ("domain", "domain "),
    ("organizations[].domains[].domain", "domain "),
    ("organizations[].domains.items[].domain", "domain "),
    # A declarative document lists each role, member, group and invitation once, by its key
    # (JSON Schema's uniqueItems compares whole items, not keys).
    ("organizations[]", "the same as "),
    ("organizations[].roles[].slug", "the same as "),
    ("organizations[].members[]", "the same as "),
    ("organizations[].groups[].name", "the same as "),
    ("organizations[].groups[].members[]", "the same as "),
    ("organizations[].invitations[].email", "the same as "),
]


def _field(pattern: str) -> "re.Pattern[str]":
    return re.compile(re.escape(pattern).replace(r"\[\]", r"\[[0-9]+\]") + "$")


_RULES = [(_field(field), message) for field, message in RULES]


def _breaks_only_stated_rules(response) -> bool:
    if response.status_code != 400:
        return False
    try:
        errors = json.loads(response.text).get("errors") or []
    except ValueError:
        return False
    return bool(errors) and all(
        any(
            field.match(str(error.get("field", ""))) and str(error.get("message", "")).startswith(message)
            for field, message in _RULES
        )
        for error in errors
    )


@schemathesis.hook
def filter_failure(ctx, failure, case, response):
    """Keeps every failure but a refusal of valid data that breaks only the rules above."""
    refused_valid_data = failure.code == "ST202"
    return not (refused_valid_data and _breaks_only_stated_rules(response))
