"""Property-based: whatever text editors put in any field, the build succeeds, every page
parses, nothing from content becomes markup or a live link, and the open data round-trips.
(Characters that hide inside a word, such as a zero-width space, are refused with their place:
tests/test_mistakes.py.)"""

from __future__ import annotations

import csv
import io
import json
from html.parser import HTMLParser

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from concordat.pipeline import build_site

from .conftest import make_project

PAYLOADS = [
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)",
    "[click](javascript:alert(1))", "[x](data:text/html;base64,PHNjcmlwdD4=)", "<a href=\"javascript:x\">x</a>",
    "&lt;b&gt; &amp; &#x3C;", "' \" ` \\", "<style>body{}</style>", "![img](https://evil.example/x.png)",
    "<https://evil.example>", "{{ 7*7 }} {% raw %}", "\u202e", "**bold** _it_", "- list\n- items",
    "KMPT and A&E", "<!-- comment -->", "<iframe src=//evil>", "onload=alert(1)",
]

text = st.one_of(
    st.text(st.characters(whitelist_categories=("L", "M", "N", "P", "S", "Zs")), min_size=1, max_size=40),
    st.sampled_from(PAYLOADS),
    st.lists(st.sampled_from(PAYLOADS), min_size=2, max_size=4).map("\n".join),
).filter(lambda s: s.strip())


def area_file(t: dict[str, str]) -> str:
    action = {"id": "1-1", "number": t["number"], "action": t["action"], "outcomes": t["outcomes"],
              "leads": ["xmpt"], "lead_text": t["lead_text"], "timescale": t["timescale"],
              "progress": t["progress"], "status": "not-rated",
              "updates": [{"date": "2016-01-31", "text": t["update"], "status": "green"}]}
    area = {
        "name": t["name"][:120], "slug": "exampleshire", "source": {"title": t["title"], "date": t["date"]},
        "introduction": t["intro"],
        "sections": [{"heading": t["heading"], "theme": "commissioning",
                      "groups": [{"heading": t["group"], "actions": [action]}]}],
        "kpi_intro": t["kpi_intro"], "kpis": [{"measure": t["measure"], "baseline": t["baseline"]}],
        "glossary": [{"term": t["term"][:40], "meaning": t["meaning"]},
                     {"term": "KMPT", "meaning": t["meaning"]}],
        "notes": [{"heading": t["note_heading"], "text": t["note"]}],
    }
    return yaml.safe_dump(area, allow_unicode=True, sort_keys=False)


FIELDS = ["name", "title", "date", "intro", "heading", "group", "number", "action", "outcomes", "lead_text",
          "timescale", "progress", "update", "kpi_intro", "measure", "baseline", "term", "meaning",
          "note_heading", "note"]


class _Audit(HTMLParser):
    """Collects anything in a page that could run code or load something."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("img", "iframe", "object", "embed", "style", "base", "link") and tag != "link":
            self.problems.append(f"<{tag}>")
        ours = ("/assets/search.js", "/assets/finder.js", "/assets/print.js")  # the site's own, from assets/
        if tag == "script" and not (dict(attrs).get("src") or "").split("?")[0].endswith(ours):
            self.problems.append("<script> not ours")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"attribute {name}")
            if name in ("href", "src", "action") and value:
                scheme = "".join(value.split()).lower()
                if scheme.startswith(("javascript:", "data:", "vbscript:")):
                    self.problems.append(f"{name}={value!r}")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(st.fixed_dictionaries({f: text for f in FIELDS}))
def test_any_text_in_any_field_is_published_safely(tmp_path_factory, texts):
    project = make_project(tmp_path_factory.mktemp("prop") / "p", area_file(texts))
    build_site(project)
    site = project.output
    pages = [p for p in site.rglob("*.html") if "pagefind" not in p.relative_to(site).parts]
    assert len(pages) > 10
    for page in pages:
        audit = _Audit()
        audit.feed(page.read_text(encoding="utf-8"))
        audit.close()
        assert audit.problems == [], page
    records = json.loads((site / "data" / "actions.json").read_text(encoding="utf-8"))
    [record] = records
    assert record["action"] == texts["action"]
    assert record["progress"] == texts["progress"]
    assert record["lead_text"] == texts["lead_text"]
    rows = list(csv.DictReader(io.StringIO((site / "data" / "actions.csv").read_text("utf-8-sig"), newline="")))
    assert rows[0]["action"] == texts["action"]
    assert rows[0]["timescale"] == texts["timescale"]
