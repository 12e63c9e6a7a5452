"""Located JSON and YAML loading: values, positions, YAML 1.2 scalars, tags, duplicates."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policylint.load.errors import LoadError
from policylint.load.json_loader import load_json, load_json_tokens
from policylint.load.limits import MAX_VALUES
from policylint.load.located import LocDict, LocList, plain
from policylint.load.yaml_loader import load_yaml


def test_json_positions_of_keys_values_and_items():
    text = '{\n  "a": [1, 2.5, "x\\n"],\n  "b": {"c": true, "d": null}\n}'
    data = load_json(text)
    assert data == {"a": [1, 2.5, "x\n"], "b": {"c": True, "d": None}}
    assert data.key_span_of("a")[:2] == (2, 3)
    assert data["a"].spans[1][:4] == (2, 12, 2, 15)
    assert data["b"].span_of("c")[:2] == (3, 14)
    assert data["b"].span_of("d")[:4] == (3, 25, 3, 29)


@pytest.mark.parametrize("text, line, col", [
    ('{"a": 1,}', 1, 9), ('[1 2]', 1, 4), ('{\n  "a" 1}', 2, 7), ('{"a": [}', 1, 8), ('', 1, 1), ("{} x", 1, 4),
])
def test_json_errors_are_located(text, line, col):
    with pytest.raises(LoadError) as info:
        load_json(text)
    assert info.value.span[:2] == (line, col)


def test_json_duplicate_keys_are_recorded_and_last_wins():
    data = load_json('{"a": 1,\n "a": 2}')
    assert data["a"] == 2
    (key, first, again), = data.duplicates
    assert key == "a" and first.line == 1 and again.line == 2


def test_yaml_follows_the_core_schema_not_yaml_1_1():
    data = load_yaml("v: 2012-10-17\nb: yes\nt: true\nn: 8080\no: 0o17\nf: 1.5\nz: ~\nq: '22'\n")
    assert data == {"v": "2012-10-17", "b": "yes", "t": True, "n": 8080, "o": 15, "f": 1.5, "z": None, "q": "22"}


def test_yaml_short_form_tags_become_long_form():
    data = load_yaml("a: !Ref X\nb: !GetAtt Role.Arn\nc: !Sub ['${A}', {A: 1}]\nd: !If [C, 1, 2]\n")
    assert data["a"] == {"Ref": "X"}
    assert data["b"] == {"Fn::GetAtt": ["Role", "Arn"]}
    assert data["c"] == {"Fn::Sub": ["${A}", {"A": 1}]}
    assert data["d"] == {"Fn::If": ["C", 1, 2]}


def test_yaml_positions_include_scalars_in_flow_lists():
    data = load_yaml("Resources:\n  A:\n    Action: [s3:GetObject, 's3:*']\n")
    actions = data["Resources"]["A"]["Action"]
    assert actions.spans[1][:2] == (3, 28)


@pytest.mark.parametrize("text", [
    "a: !!python/object/apply:os.system ['true']",
    "a: !!python/name:os.system",
    "a: !Custom 1",
    "a: !!set {x}",
])
def test_yaml_foreign_tags_are_errors_and_never_constructed(text):
    with pytest.raises(LoadError, match="unsupported YAML tag"):
        load_yaml(text)


def test_yaml_alias_bomb_is_bounded():
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(LoadError, match="alias"):
        load_yaml("\n".join(lines))


def test_yaml_syntax_error_at_end_of_file_points_at_the_last_line():
    with pytest.raises(LoadError) as info:
        load_yaml("a: 1\nb: [unclosed\n")
    assert info.value.span.line == 2


def test_yaml_duplicate_keys_are_recorded():
    data = load_yaml("a: 1\nb: 2\na: 3\n")
    assert data["a"] == 3 and data.duplicates[0][0] == "a"


_DEEP = "[" * 150 + "]" * 150


@pytest.mark.parametrize("text", [
    "a: |\n  " + _DEEP[:150] + "\n  more\nb: 1\n",  # a literal block scalar
    "a: >-\n    " + "{" * 150 + "\nb: 1\n",  # a folded one
    "a: '" + "[" * 150 + "'\n",  # quoted, on one line and over several
    'a: "' + "{" * 150 + '\n  ' + "[" * 150 + '"\n',
    "a: b" + "[" * 150 + "\n",  # inside a plain scalar
    "a: b\n  " + "[" * 150 + "\n",  # on a continuation line of one
    "# " + "[" * 150 + "\na: 1 # " + "{" * 150 + "\n",  # comments
    "a: [x, '" + "[" * 150 + "', \"" + "{" * 150 + "\", y#z] # " + "[" * 150 + "\n",  # in a flow list
])
def test_yaml_brackets_that_open_nothing_do_not_count_as_nesting(text):
    load_yaml(text)  # no LoadError: the depth pre-pass skips what is not a flow collection


@pytest.mark.parametrize("text, line, col", [
    ("a: " + _DEEP + "\n", 1, 104),
    ("a:\n  - !Join ['', " + _DEEP + "]\n", 2, 115),
    ("a: |\n  text\nb:\n  c: {k: " + "{k: " * 150 + "1" + "}" * 151 + "\n", 4, 406),
    ("'quoted key': " + "[" * 5000 + "]" * 5000 + "\n", 1, 115),
])
def test_yaml_flow_nesting_past_the_bound_is_policylints_error_before_the_parsers(text, line, col):
    with pytest.raises(LoadError) as info:
        load_yaml(text)
    assert info.value.message == "nesting deeper than 100 levels"
    assert info.value.span[:2] == (line, col)


# -- YAML positions: where PyYAML's pure-Python composer (a parser other than libyaml) puts them --

_YAML_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**9, 10**9), st.text(max_size=10),
                          st.sampled_from(["0x1f", "1.5", ".inf", "~", "yes", "2012-10-17", "a: b", "x\ny", "{\"a\": [1]}\n"]))
_YAML_VALUES = st.recursive(_YAML_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.text(max_size=6).filter(lambda key: key != "<<"), inner, max_size=4)), max_leaves=25)


def _marks(node) -> tuple[int, int, int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1, node.end_mark.line + 1, node.end_mark.column + 1


def _same_positions(node, value) -> None:
    import yaml

    if isinstance(node, yaml.MappingNode):
        assert isinstance(value, LocDict) and len(value) == len(node.value)
        for (key_node, value_node), key in zip(node.value, value):  # keys are distinct: in order
            assert value.key_spans[key][:4] == _marks(key_node)
            assert value.spans[key][:4] == _marks(value_node)
            _same_positions(value_node, value[key])
    elif isinstance(node, yaml.SequenceNode):
        assert isinstance(value, LocList) and len(value) == len(node.value)
        for i, item_node in enumerate(node.value):
            assert value.spans[i][:4] == _marks(item_node)
            _same_positions(item_node, value[i])
    if isinstance(value, (LocDict, LocList)):
        assert value.span[:4] == _marks(node)


@settings(max_examples=300, deadline=None)
@given(_YAML_VALUES, st.sampled_from([None, True, False]), st.sampled_from([None, '"', "'", "|", ">"]),
       st.sampled_from([20, 80, 1000]), st.sampled_from([2, 4]))
def test_yaml_positions_are_where_pyyamls_own_composer_puts_them(value, flow, style, width, indent):
    import yaml

    text = yaml.safe_dump(value, default_flow_style=flow, default_style=style, width=width, indent=indent,
                          allow_unicode=True)
    _same_positions(yaml.compose(text, Loader=yaml.SafeLoader), load_yaml(text))


# -- JSON positions on demand: the fast path must equal the located tokenizer ------------------

_JSON_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                          st.text(max_size=8))
_JSON_VALUES = st.recursive(_JSON_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.lists(st.tuples(st.sampled_from("abc\u00e9\""), inner), max_size=4)), max_leaves=30)


def _written(value, spaces) -> str:
    """JSON text of ``value`` (tuples-lists are objects, keys may repeat), spaced by ``spaces``."""
    gap = spaces.draw(st.sampled_from(["", " ", "\n", " \r\n  "]))
    if isinstance(value, list) and value and isinstance(value[0], tuple):
        return "{" + ",".join(f'{gap}{json.dumps(k)}{gap}:{_written(v, spaces)}' for k, v in value) + gap + "}"
    if isinstance(value, list):
        return "[" + gap + f",{gap}".join(_written(v, spaces) for v in value) + "]"
    return json.dumps(value)


def _containers(value, out):
    if isinstance(value, (LocDict, LocList)):
        out.append(value)
        for child in (value.values() if isinstance(value, dict) else value):
            _containers(child, out)
    return out


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES, st.data(), st.integers(0, 3), st.randoms())
def test_json_positions_found_on_demand_equal_those_computed_up_front(value, data, line_offset, rnd):
    text = _written(value, data)
    fast, reference = load_json(text, line_offset), load_json_tokens(text, line_offset)
    assert plain(fast) == plain(reference)
    ours, theirs = _containers(fast, []), _containers(reference, [])
    order = list(range(len(ours)))
    rnd.shuffle(order)  # a child may be asked before its parent
    for i in order:
        if isinstance(ours[i], dict):  # one key's span at a time (each made when asked), then all
            keys = list(ours[i])
            rnd.shuffle(keys)
            for key in keys:
                assert ours[i].key_span_of(key) == theirs[i].key_span_of(key)
                assert ours[i].span_of(key) == theirs[i].span_of(key)
        for name in ("span", "spans", "key_spans", "duplicates") if isinstance(ours[i], dict) else ("span", "spans"):
            assert getattr(ours[i], name) == getattr(theirs[i], name)


@pytest.mark.parametrize("text", ['{"a": NaN}', '[1, Infinity]', '{"a": 1}}', '\ufeff{}', '', '{"a" 1}',
                                  "[" * 101 + "]" * 101, "[" + ",".join(["0"] * MAX_VALUES) + "]"])
def test_json_the_fast_path_refuses_what_the_tokenizer_refuses_with_its_error(text):
    with pytest.raises(LoadError) as reference:
        load_json_tokens(text)
    with pytest.raises(LoadError) as ours:
        load_json(text)
    assert (ours.value.message, ours.value.span) == (reference.value.message, reference.value.span)


_PLAN = ('{"format_version": "1.2", "terraform_version": "1.9.5",\n'
         ' "planned_values": {"root_module": {"resources": [{"address": "aws_s3_bucket.b", "mode": "managed",\n'
         '   "type": "aws_s3_bucket", "name": "b", "values": {"bucket": "x", "acl": "public-read"}}]}},\n'
         ' "resource_changes": [{"address": "aws_s3_bucket.b", "change": {"after": {"bucket": "x"%s}}}],\n'
         ' "configuration": {"root_module": {}}}\n')


def test_a_plan_has_only_what_linting_reads_built_located_as_in_the_whole_document(tmp_path):
    from policylint.load.documents import load_document

    (tmp_path / "plan.json").write_text(_PLAN % "")
    parsed = load_document(str(tmp_path / "plan.json"))
    assert parsed.format == "tf-plan" and not parsed.problems
    assert set(parsed.data) == {"format_version", "terraform_version", "planned_values"}
    whole = load_json_tokens(_PLAN % "")
    assert parsed.data.span == whole.span
    assert all(parsed.data.key_spans[k] == whole.key_spans[k] and parsed.data.spans[k] == whole.spans[k]
               for k in parsed.data)
    ours = parsed.data["planned_values"]["root_module"]["resources"][0]["values"]
    theirs = whole["planned_values"]["root_module"]["resources"][0]["values"]
    assert (ours.spans, ours.key_spans, ours.span) == (theirs.spans, theirs.key_spans, theirs.span)


def test_a_duplicate_key_in_a_skipped_part_of_a_plan_is_still_found(tmp_path):
    from policylint.load.documents import load_document

    (tmp_path / "plan.json").write_text(_PLAN % ', "bucket": "y"')
    parsed = load_document(str(tmp_path / "plan.json"))
    assert parsed.format == "tf-plan"
    assert [(p.message, p.span.line) for p in parsed.problems] == [("duplicate key 'bucket' (first written at line 4)", 4)]


def test_json_naming_iac_keys_only_inside_strings_is_not_parsed(tmp_path):
    from policylint.load.documents import load_document

    (tmp_path / "model.json").write_text(json.dumps({"shapes": {"Doc": {"documentation": 'a "Statement": '
                                                    "AWS::S3::Bucket Resources"}}}))
    parsed = load_document(str(tmp_path / "model.json"))
    assert (parsed.format, parsed.data) == ("other", None)
    (tmp_path / "policy.json").write_text('{"Version": "2012-10-17", "Statement" :[]}')
    assert load_document(str(tmp_path / "policy.json")).format == "policy"


def _problems(found):
    return [(p.message, p.span) for p in found]


@settings(max_examples=200, deadline=None)
@given(_JSON_VALUES, st.data())
def test_json_the_mappings_the_loader_lists_as_writing_a_key_twice_are_those_a_search_finds(value, data):
    from policylint.load.documents import duplicate_keys

    text = _written(value, data)
    for load in (load_json, load_json_tokens):
        listed: list = []
        loaded = load(text, duplicated=listed)
        assert _problems(duplicate_keys(loaded, listed)) == _problems(duplicate_keys(loaded))


@pytest.mark.parametrize("text", [
    "a: 1\nb: {c: 1, c: 2}\na: 3\nd:\n  - e: 1\n    e: 2\n  - f\n",
    "x: &anchor {k: 1, k: 2}\ny: *anchor\nz: *anchor\n",  # one mapping, reached three times
    "a: !Rain::Embed {k: 1, k: 2}\nb: {m: 1, m: 2}\n",  # a mapping left out of the data is not reported
    "a: 1\nb: [1, 2]\n",
    "a: {k: 1, k: 2}\na: 3\nb: {m: 1, m: 2}\n",  # a mapping written over is not reported
])
def test_yaml_the_mappings_the_loader_lists_as_writing_a_key_twice_are_those_a_search_finds(text):
    from policylint.load.documents import duplicate_keys

    listed: list = []
    data = load_yaml(text, [], listed)
    assert _problems(duplicate_keys(data, listed)) == _problems(duplicate_keys(data))


def test_the_loaders_list_each_mapping_that_writes_a_key_twice_once():
    listed: list = []
    data = load_yaml("a: {c: 1, c: 2, c: 3}\nb: [{d: 1, d: 2}]\n", [], listed)
    assert listed == [data["a"], data["b"][0]]
    listed = []
    data = load_json('{"a": {"c": 1, "c": 2, "c": 3}, "b": [{"d": 1, "d": 2}]}', duplicated=listed)
    assert [id(m) for m in listed] == [id(data["a"]), id(data["b"][0])]
