"""A predicate's screen (``SCREENS``) rules a statement's values out at once only when the predicate
answers ``False`` for every one of them: checked on generated statements, Deny statements and
unresolved entries included."""
from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.evaluate.predicates import PREDICATES, SCREENS
from policylint.load.json_loader import load_json
from policylint.load.located import UNKNOWN_SPAN, Unknown
from policylint.normalise.iam import normalise_policy

ACTIONS = ["s3:GetObject", "s3:*", "s3:Get*", "iam:PassRole", "iam:Pass*", "IAM:passrole", "iam:*", "*",
           "*:*", "ec2:RunInstances", "ec2:?unInstances", "lambda:Create*", "sts:AssumeRole", "kms:*",
           "iam:CreatePolicyVersion", "nosuchservice:*", "s3:Put?bject"]
RESOURCES = ["*", "arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:role/app", "arn:aws:s3:::bucket/*"]

statements = st.fixed_dictionaries({
    "Effect": st.sampled_from(["Allow", "Deny"]),
    "Action": st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=5),
    "Resource": st.sampled_from(RESOURCES),
})
not_action = st.fixed_dictionaries({
    "Effect": st.just("Allow"),
    "NotAction": st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=3),
    "Resource": st.sampled_from(RESOURCES),
})


def _statements(docs: list[dict]) -> list[dict]:
    doc = load_json(json.dumps({"Version": "2012-10-17", "Statement": docs}))
    return normalise_policy(doc, UNKNOWN_SPAN, "identity")["statements"]


def _check(statement: dict, seen: dict) -> None:
    for path in ("actions", "not_actions"):
        values = statement.get(path)
        if values is None:
            continue
        values = values if isinstance(values, list) else [values]
        for name, screen in SCREENS.items():
            answers = [PREDICATES[name][0](v, True, statement) for v in values]
            if not screen(values, statement):
                assert all(a is False for a in answers), (name, values, answers)
                seen["ruled out"] += 1
            elif any(a is not False for a in answers):
                seen["kept"].add(name)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(statements, not_action), min_size=1, max_size=4), st.booleans())
def test_a_screen_rules_out_only_values_that_all_answer_false(docs, unresolved):
    found = _statements(docs)
    if unresolved:
        found[0]["actions"] = [*(found[0].get("actions") or []), Unknown("!Ref Action")]
    seen = {"ruled out": 0, "kept": set()}
    for statement in found:
        _check(statement, seen)


def test_screens_rule_out_and_keep():
    """Not vacuous: each screen rules some statements out and keeps those a value answers for."""
    seen = {"ruled out": 0, "kept": set()}
    for docs in ([{"Effect": "Allow", "Action": ["s3:GetObject", "ec2:RunInstances"], "Resource": "*"}],
                 [{"Effect": "Allow", "Action": ["s3:*", "iam:PassRole", "*"], "Resource": "*"}],
                 [{"Effect": "Allow", "Action": ["iam:Get*", "iam:PassRole"], "Resource": "*"}]):
        for statement in _statements(docs):
            _check(statement, seen)
    assert seen["ruled out"] >= 4
    assert seen["kept"] == set(SCREENS)
