"""The mistakes editors make, one row each: the edit, and the line, column and words of its message.

Editors know Word and Excel, not YAML; many edit in GitHub's web editor, where each mistake
costs a push and a wait. Each message must point at the place the editor made the mistake, in
words they can act on, naming any character they cannot see; every mistake in a file is
reported at once wherever the parser can go on; and no word is ever dropped without a message.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from concordat.errors import ContentErrors
from concordat.pipeline import load_site

from .conftest import FIXTURES, make_project

EXAMPLE = (FIXTURES / "example-area.yaml").read_text(encoding="utf-8")
AREA = "content/areas/exampleshire.yaml"


@dataclass
class Expect:
    line_of: str  # the line is the first one of the edited file that contains this
    column: int
    words: tuple[str, ...]  # what the message (with its hint) must say
    absent: tuple[str, ...] = ()  # what it must not say (the wrong hints it used to give)


@dataclass
class Mistake:
    name: str
    edits: tuple[tuple[str, str], ...]
    expect: tuple[Expect, ...] = ()  # empty: the edit is allowed, and the content is valid
    published: dict[str, str] = field(default_factory=dict)  # action id -> words its text keeps


def edit(*pairs: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    return pairs


MISTAKES = [
    # No silent loss: " #" starts a comment in YAML.
    Mistake("hash-in-plain-text",
            edit(("progress: The XMPT line went live in **November 2014**.",
                  "progress: Actions agreed #3 and #4 at the May board")),
            (Expect("progress: Actions agreed", 38,
                    ("'progress' would lose the words '#3 and #4 at the May board'",
                     "only 'Actions agreed' would be published",
                     'put the whole value in quotes: progress: "Actions agreed #3 and #4 at the May board"')),)),
    Mistake("hash-in-quoted-text-is-kept",
            edit(("progress: The XMPT line went live in **November 2014**.",
                  'progress: "Actions agreed #3 and #4 at the May board"')),
            published={"1-1": "Actions agreed #3 and #4 at the May board"}),
    Mistake("hash-without-space-is-text",
            edit(("lead_text: All CCGs", "lead_text: Room#4")), published={"1-2": "Room#4"}),
    Mistake("note-after-a-value",
            edit(("    status: not-rated", "    status: not-rated # checked by Jo")),
            (Expect("# checked by Jo", 23, ("'status' would lose the words '# checked by Jo'",
                                            "a note for editors goes on a line of its own")),)),
    Mistake("note-on-its-own-line-is-allowed",
            edit(("    status: not-rated", "    # checked by Jo\n    status: not-rated"))),
    Mistake("hash-in-a-continued-plain-value",
            edit(("lead_text: All CCGs", "lead_text: All CCGs\n              and the council #2")),
            (Expect("and the council", 31, ("would lose the words '#2'",)),)),
    # Syntax, at the line and column of the mistake.
    Mistake("missing-space-after-colon",
            edit(("lead_text: All CCGs", "lead_text:All CCGs")),
            (Expect("lead_text:All", 23, ("a space is missing after 'lead_text:'", "write 'lead_text: All CCGs'"),
                    ("indentation",)),)),
    Mistake("missing-space-after-colon-of-a-list-item",
            edit(("          - id: 1-2", "          - id:1-2")),
            (Expect("- id:1-2", 16, ("a space is missing after 'id:'",)),)),
    Mistake("unclosed-quote",
            edit(("lead_text: All CCGs", 'lead_text: "All CCGs')),
            (Expect('"All CCGs', 24, ('the quote (") that starts the value of \'lead_text\' is never closed',
                                      'add the closing "')),)),
    Mistake("unclosed-quote-at-the-end-of-the-file",
            edit(("meaning: Exampleshire Mental Health Partnership Trust",
                  "meaning: 'Exampleshire Mental Health Partnership Trust")),
            (Expect("meaning: 'Exampleshire", 14, ("never closed", "add the closing '")),)),
    Mistake("text-after-the-closing-quote",
            edit(("action: Agree the street triage protocol", 'action: "Agree the street" triage: protocol')),
            (Expect('"Agree the street"', 40, ("more text after the closing quote",
                                               "put the whole value inside one pair of quotes"),
                    ("must be quoted",)),)),
    Mistake("colon-and-space-inside-a-value",
            edit(("timescale: Annually", "timescale: Annually: or so")),
            (Expect("Annually: or so", 24, ("a colon followed by a space inside a value",
                                            'put the whole value in quotes: timescale: "Annually: or so"')),)),
    Mistake("a-line-without-its-colon",
            edit(("            progress: Completed\n",
                  "            progress: Completed\n            Checked in May\n")),
            (Expect("Checked in May", 13, ("neither a 'field: value' line", "indent it further")),)),
    Mistake("unclosed-list",
            edit(("leads: [xmpt, example-police]", "leads: [xmpt, example-police")),
            (Expect("leads: [xmpt", 20, ("the '[' that starts here is not closed with ']'", "add the closing ]")),)),
    Mistake("tab-indentation",
            edit(("  title: Exampleshire", "\ttitle: Exampleshire")),
            (Expect("\ttitle", 1, ("tabs",)),)),
    Mistake("yaml-1-1-and-1-2-disagree",
            edit(("lead_text: All CCGs", "lead_text: no")),
            (Expect("lead_text: no", 24, ('put it in quotes: "no"',)),)),
    # Invisible characters, named.
    Mistake("non-breaking-space-in-the-indentation",
            edit(("            lead_text: All CCGs", "\u00a0           lead_text: All CCGs")),
            (Expect("lead_text: All CCGs", 1, ("a non-breaking space in the indentation",)),)),
    Mistake("non-breaking-space-after-the-colon",
            edit(("lead_text: All CCGs", "lead_text:\u00a0All CCGs")),
            (Expect("lead_text:\u00a0", 23, ("a non-breaking space after 'lead_text:'",)),)),
    Mistake("non-breaking-space-inside-text-is-kept",
            edit(("lead_text: All CCGs", "lead_text: All\u00a0CCGs")), published={"1-2": "All\u00a0CCGs"}),
    Mistake("line-break-pasted-from-word",
            edit(("lead_text: All CCGs", "lead_text: All\x0bCCGs")),
            (Expect("lead_text: All", 27, ("a line break pasted from Word (vertical tab)",), ("position",)),)),
    Mistake("line-separator-keeps-later-line-numbers",
            edit(("lead_text: Concordat chair", "lead_text: Concordat\u2028chair"),
                 ("status: complete", "status: finished")),
            (Expect("Concordat\u2028chair", 25, ("U+2028, line separator",)),
             Expect("status: finished", 21, ("'finished' is not a valid status",)))),
    Mistake("curly-quotes",
            edit(("action: Agree the street triage protocol", "action: \u201cAgree: the street triage protocol\u201d")),
            (Expect("\u201cAgree", 21, ("curly quotes", 'action: "Agree: the street triage protocol"')),)),
    Mistake("curly-quotes-inside-a-value",
            edit(("action: Agree the street triage protocol", "action: Agree \u201cthe plan: now\u201d")),
            (Expect("\u201cthe plan", 36, ("curly quotes", "straight quotes")),)),
    Mistake("soft-hyphen",
            edit(("lead_text: All CCGs", "lead_text: All CC\u00adGs")),
            (Expect("lead_text: All CC", 30, ("a soft hyphen inside 'CCGs'",)),)),
    Mistake("zero-width-space",
            edit(("action: Agree the street triage protocol", "action: Agree the str\u200beet triage protocol")),
            (Expect("the str\u200beet", 34, ("a zero-width space inside 'street'",)),)),
    # Several mistakes in one file, all reported in one run.
    Mistake("three-mistakes-at-once",
            edit(("lead_text: All CCGs", "lead_text:All CCGs"),
                 ("    lead_text: Concordat chair", "\u00a0   lead_text: Concordat chair"),
                 ("timescale: April 2016", "timescale: Apr\u00adil 2016"),
                 ("status: complete", "status: finished")),
            (Expect("lead_text: Concordat chair", 1, ("a non-breaking space in the indentation",)),
             Expect("Apr\u00adil", 25, ("a soft hyphen inside 'April'",)),
             Expect("lead_text:All", 23, ("a space is missing after 'lead_text:'",)),
             Expect("status: finished", 21, ("'finished' is not a valid status",)))),
    # Hints that fit the case.
    Mistake("required-field-left-empty",
            edit(("action: Agree the street triage protocol", "action:")),
            (Expect("action:", 13, ("'action' is empty", "this field is required"), ("leave the key out",)),)),
    Mistake("optional-field-left-empty",
            edit(("timescale: May 2015", "timescale:")),
            (Expect("timescale:\n", 13, ("'timescale' is empty", "leave the key out")),)),
]


def line_of(text: str, needle: str) -> int:
    if needle.endswith("\n"):
        return next(i for i, line in enumerate(text.split("\n"), start=1) if line.endswith(needle[:-1]))
    return next(i for i, line in enumerate(text.split("\n"), start=1) if needle in line)


def edited(mistake: Mistake) -> str:
    text = EXAMPLE
    for old, new in mistake.edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def test_the_table_covers_every_kind_of_mistake():
    assert len(MISTAKES) >= 25
    assert len({m.name for m in MISTAKES}) == len(MISTAKES)


@pytest.mark.parametrize("mistake", MISTAKES, ids=lambda m: m.name)
def test_each_mistake_is_reported_where_it_was_made_in_words_an_editor_can_act_on(tmp_path, mistake):
    text = edited(mistake)
    project = make_project(tmp_path / "p", text)
    if not mistake.expect:
        site = load_site(project)
        actions = {a.id: a for a in site.areas[0].actions}
        for action_id, words in mistake.published.items():
            action = actions[action_id]
            assert words in "\n".join(str(getattr(action, f, "") or "") for f in ("lead_text", "progress")), words
        return
    with pytest.raises(ContentErrors) as caught:
        load_site(project)
    errors = [str(e) for e in caught.value.errors]
    assert len(errors) == len(mistake.expect), errors
    for expect in mistake.expect:
        where = f"{AREA}:{line_of(text, expect.line_of)}:{expect.column}: "
        [message] = [e for e in errors if e.startswith(where)] or [f"no error at {where} in {errors}"]
        for words in expect.words:
            assert words in message, message
        for words in expect.absent:
            assert words not in message, message


def test_every_file_reports_its_mistakes_in_the_same_run(tmp_path):
    """Where the parser cannot go on in one file, that file's first error is reported, and the
    other files are still read and checked."""
    text = EXAMPLE.replace("name: Exampleshire", "name: [Exampleshire").replace("lead_text: All CCGs",
                                                                              "lead_text:All CCGs")
    project = make_project(tmp_path / "p", text)
    other = EXAMPLE.replace("slug: exampleshire", "slug: otherside").replace("status: complete", "status: finished")
    (project.content / "areas" / "otherside.yaml").write_text(other, encoding="utf-8")
    orgs = project.content / "organisations.yaml"
    orgs.write_text(orgs.read_text(encoding="utf-8").replace("type: police", "type:police"), encoding="utf-8")
    with pytest.raises(ContentErrors) as caught:
        load_site(project)
    errors = [str(e) for e in caught.value.errors]
    assert any(e.startswith(f"{AREA}:{line_of(text, 'lead_text:All')}:23: a space is missing") for e in errors)
    assert any(e.startswith(f"{AREA}:{line_of(text, 'name: [')}:") for e in errors)
    assert any(e.startswith("content/areas/otherside.yaml:") and "'finished' is not a valid status" in e
               for e in errors)
    assert any(e.startswith("content/organisations.yaml:") and "a space is missing after 'type:'" in e
               for e in errors)
