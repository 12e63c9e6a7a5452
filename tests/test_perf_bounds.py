"""Speed-ups that must not change answers: bounded edit distance, the parsed-folder bound."""
from __future__ import annotations

import itertools

from policylint.iam.actions import _edits, _typo_of
from policylint.normalise.terraform import folder as tf_folder


def test_bounded_edit_distance_is_exact_up_to_the_bound():
    words = ["s3", "ec2", "iam", "sts", "lambda", "lamdba", "cloudwatch", "cloudwatc", "logs", "", "a", "ab", "ba"]
    for a, b in itertools.product(words, repeat=2):
        exact = _edits(a, b)
        for bound in (0, 1, 2, 3):
            assert _edits(a, b, bound) == min(exact, bound + 1), (a, b, bound)


def test_typo_suggestion_unchanged():
    known = ["s3", "sts", "ec2", "lambda", "cloudwatch", "cloudtrail"]
    assert _typo_of("lamdba", known) == "lambda"
    assert _typo_of("cloudwach", known) == "cloudwatch"
    assert _typo_of("zzzzzz", known) is None


def test_parsed_folders_are_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(tf_folder, "MAX_CACHED_FOLDERS", 2)
    monkeypatch.setattr(tf_folder, "_CACHE", type(tf_folder._CACHE)())
    paths = []
    for i in range(4):
        folder = tmp_path / f"m{i}"
        folder.mkdir()
        (folder / "main.tf").write_text(f'resource "aws_s3_bucket" "b{i}" {{\n  bucket = "b{i}"\n}}\n')
        paths.append(str(folder))
    first = tf_folder.load_folder(paths[0], str)
    for path in paths[1:]:
        tf_folder.load_folder(path, str)
    assert len(tf_folder._CACHE) == 2
    again = tf_folder.load_folder(paths[0], str)  # dropped, parsed again to the same declarations
    assert again is not first
    assert [b.labels for b in again.resources] == [b.labels for b in first.resources]
