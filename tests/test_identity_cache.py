"""Caches keyed by object identity: a task's parsed data is not kept once the task is linted."""
from __future__ import annotations

import json

from policylint.iam import actions
from policylint.identity_cache import IdentityCache, forget_task
from policylint.scan import ScanOptions, scan


class _Item(dict):
    pass


def test_a_value_is_built_once_per_object_and_per_task_caches_forget_it():
    built = []
    kept, per_task = IdentityCache(), IdentityCache(per_task=True)
    item = _Item(a=1)
    for cache in (kept, per_task):
        assert cache.get(item, lambda o: built.append(o) or len(built)) == cache.get(item, lambda o: 99)
    assert len(built) == 2
    forget_task()
    assert kept.entries and not per_task.entries


def test_a_linted_policy_is_not_kept_alive_by_its_grants(tmp_path):
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    (tmp_path / "policy.json").write_text(json.dumps(policy))
    seen = []
    original = actions.Grant.__init__

    def watched(self, statement, *args, **kwargs):
        seen.append(statement.get("effect"))
        original(self, statement, *args, **kwargs)

    actions.Grant.__init__ = watched
    try:
        result = scan(ScanOptions(paths=[str(tmp_path)], root=str(tmp_path), jobs=1))
    finally:
        actions.Grant.__init__ = original
    assert result.findings and seen == ["Allow"]
    assert not actions._GRANTS.entries and not actions._GRANTS_ALONE.entries  # the statement is not held
