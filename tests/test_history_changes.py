"""What one commit did to a plan, worked out from two versions held in memory: no git, no site build.

The changes pages, the feeds and each action's history all show what these functions return, so
the words a reader sees are checked here directly, a change at a time."""

from __future__ import annotations

from types import SimpleNamespace

import yaml

from concordat import history
from concordat.history.changes import area_change, read_version
from concordat.history.entries import from_records

from .conftest import FIXTURES

PATH = "content/areas/exampleshire.yaml"
COMMIT = "a" * 40
DATE = "2016-07-01"


def plan(change=None) -> bytes:
    """The example plan as a file's bytes, after `change` (a function of its data) if given."""
    data = yaml.safe_load((FIXTURES / "example-area.yaml").read_text(encoding="utf-8"))
    if change:
        change(data)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode()


def actions(data) -> list[dict]:
    return data["sections"][0]["groups"][0]["actions"]


def commit(before: bytes | None, after: bytes | None, correction: bool = False, listed: bool = False):
    """The one commit going from `before` to `after` as the history gives it, and its actions' lines."""
    old = None if before is None else read_version(before, PATH)
    new = None if after is None else read_version(after, PATH)
    now = new if not isinstance(new, str) and new is not None else read_version(plan(), PATH)
    site = SimpleNamespace(config=SimpleNamespace(repository=None), actions=now.actions, areas=[now])  # what is read
    record = {"id": COMMIT, "timestamp": f"{DATE}T09:00:00+00:00", "subject": "An edit", "correction": correction,
              "areas": [area_change(old, new, PATH)]}
    found = from_records([record], site, {COMMIT} if listed else set())
    assert len(found.commits) == 1
    return found.commits[0], found.by_action


def test_an_update_that_completes_an_action_reads_completed_and_is_progress():
    def complete(data):
        actions(data)[0]["updates"] = [{"date": "2016-03-31", "text": "The line runs all night.", "status": "complete"}]

    done, lines = commit(plan(), plan(complete))
    assert done.summary == "Exampleshire: 1 action completed"
    (change,) = done.areas[0].actions
    assert (change.id, change.kind, change.status_from, change.status_to) == ("1-1", "changed", "not-rated", "complete")
    assert change.updates == ("2016-03-31",)
    assert lines[("exampleshire", "1-1")] == (
        history.HistoryEvent(DATE, "change", "Status changed from Not rated to Complete.", "complete"),)


def test_a_status_changed_by_a_correction_reads_corrected_and_is_not_progress():
    def rate(data):
        data["preamble"][0].update(status="complete", status_words="Governance arrangements completed")

    for trailer, listed in ((True, False), (False, True)):  # its message's trailer, or content/corrections.txt
        corrected, lines = commit(plan(), plan(rate), correction=trailer, listed=listed)
        assert corrected.correction
        assert corrected.summary == "Exampleshire: 1 action corrected"
        (line,) = lines[("exampleshire", "governance")]
        assert line.kind == "correction"
        assert line.text == ("Corrected: status words, the plan's status. "
                             "Status corrected from Not rated to Complete.")
        assert line.status == ""  # no status badge: a correction is how the plan was copied, not progress


def test_words_changed_name_the_field_and_show_each_word_added_and_removed():
    def reword(data):
        actions(data)[1]["action"] = "Agree the new street triage protocol"

    changed, lines = commit(plan(), plan(reword))
    assert changed.summary == "Exampleshire: 1 action updated"
    (change,) = changed.areas[0].actions
    (text,) = change.texts
    assert text.field == "action text"
    assert [(p.op, p.text) for p in text.parts] == [("=", "Agree the"), ("+", " new"), ("=", " street triage protocol")]
    assert lines[("exampleshire", "1-2")][0].text == "Changed: action text."


def test_an_action_added_or_removed_and_a_plan_published_or_unreadable():
    def add(data):
        actions(data).append({"id": "1-3", "number": "1.3", "action": "Open a crisis café", "status": "not-rated"})

    added, lines = commit(plan(), plan(add))
    assert added.summary == "Exampleshire: 1 action added"
    assert lines[("exampleshire", "1-3")][0].text == "Published on this site."
    removed, _ = commit(plan(add), plan())
    assert removed.summary == "Exampleshire: 1 action removed"
    assert [(a.id, a.kind) for a in removed.areas[0].actions] == [("1-3", "removed")]

    published, lines = commit(None, plan())
    assert (published.areas[0].kind, published.areas[0].action_count) == ("added", 3)
    assert published.summary == "Exampleshire: plan published"
    assert lines[("exampleshire", "governance")][0].text == "Published on this site."

    broken, _ = commit(plan(), b"name: [Exampleshire\n")
    assert broken.areas[0].kind == "unreadable"
    assert broken.areas[0].reason.startswith(PATH)


def test_a_merge_is_a_correction_only_when_every_commit_it_brought_in_is_one():
    from concordat.history.entries import is_correction

    merge = {"id": COMMIT, "correction": False, "merged": [["b" * 40, True], ["c" * 40, False]]}
    assert not is_correction(merge, set())
    assert is_correction(merge, {"c" * 40})
    assert not is_correction({**merge, "merged": []}, set())
