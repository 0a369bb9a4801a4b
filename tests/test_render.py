"""What readers see: content is escaped, Markdown is safe, abbreviations are explained once."""

from __future__ import annotations

import csv
import io
import json
import re

from concordat.pipeline import build_site
from concordat.render import content_security_policy

from .conftest import FIXTURES, ROOT, make_project

EXAMPLE = (FIXTURES / "example-area.yaml").read_text(encoding="utf-8")


def build_with(tmp_path, replacements: dict[str, str]):
    text = EXAMPLE
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    project = make_project(tmp_path / "p", text)
    build_site(project)
    return project.output


def test_markup_in_content_is_shown_as_text(tmp_path):
    site = build_with(tmp_path, {
        "action: Agree the street triage protocol":
            "action: 'Agree <script>alert(1)</script> & <b onmouseover=x>bold</b>'",
        "lead_text: All CCGs": "lead_text: '<img src=x onerror=alert(1)>'",
    })
    for page in ["areas/exampleshire/index.html", "areas/exampleshire/actions/1-2/index.html"]:
        html = (site / page).read_text()
        assert "<script>alert" not in html and "<b onmouseover" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_markdown_links_only_allow_web_and_mail(tmp_path):
    site = build_with(tmp_path, {
        "progress: Completed": "progress: 'Completed [evil](javascript:alert(1)) [data](data:text/html,x) [ok](https://example.org/)'",
    })
    html = (site / "areas/exampleshire/actions/1-2/index.html").read_text()
    assert 'href="javascript:' not in html and 'href="data:' not in html
    assert '<a href="https://example.org/">ok</a>' in html


def test_headings_in_content_do_not_break_the_page_outline(tmp_path):
    site = build_with(tmp_path, {"progress: Completed": 'progress: "Completed\\n# Not a heading"'})
    html = (site / "areas/exampleshire/actions/1-2/index.html").read_text()
    assert html.count("<h1") == 1
    assert "# Not a heading" in html


def test_abbreviation_explained_on_first_use_and_linked_to_glossary(tmp_path):
    site = build_with(tmp_path, {})
    html = (site / "areas/exampleshire/index.html").read_text()
    assert html.count('<abbr title="Exampleshire Mental Health Partnership Trust">XMPT</abbr>') == 1
    assert '<a class="abbr" href="/areas/exampleshire/#term-xmpt">' in html
    assert 'id="term-xmpt"' in html
    # Shared glossary terms link to the site glossary.
    assert ('<a class="abbr" href="/glossary/#term-a-e">'
            '<abbr title="Accident and Emergency department">A&amp;E</abbr>') in html


def test_status_is_written_as_words_not_colour_alone(tmp_path):
    site = build_with(tmp_path, {})
    html = (site / "areas/exampleshire/actions/1-1/index.html").read_text()
    assert "Not rated" in html and "No status given in the plan." in html
    done = (site / "areas/exampleshire/actions/1-2/index.html").read_text()
    assert '<strong class="status status-complete" data-pagefind-filter="status">Complete</strong>' in done


def test_every_page_has_one_h1_lang_and_skip_link(tmp_path):
    site = build_with(tmp_path, {})
    pages = sorted(site.rglob("*.html"))
    pages = [p for p in pages if "pagefind" not in p.parts]
    assert len(pages) > 10
    for page in pages:
        html = page.read_text()
        assert html.count("<h1") == 1, page
        assert '<html lang="en-GB">' in html
        assert '<a class="skip-link" href="#main">' in html


CSP = content_security_policy()


def test_the_policy_allows_only_the_site_itself():
    directives = dict(part.split(" ", 1) for part in CSP.split("; "))
    assert directives["default-src"] == "'none'"
    assert "unsafe-inline" not in CSP and "unsafe-eval'" not in CSP.replace("wasm-unsafe-eval'", "")
    assert all("http" not in sources and "*" not in sources for sources in directives.values())


def test_readme_gives_hosts_the_same_policy():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"Content-Security-Policy: {CSP}; frame-ancestors 'none'" in readme


def test_every_page_has_a_strict_csp_and_no_inline_script_or_style(tmp_path):
    site = build_with(tmp_path, {})
    pages = [p for p in site.rglob("*.html") if "pagefind" not in p.parts]
    for page in pages:
        html = page.read_text()
        assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in html, page
        assert "<style" not in html and " style=" not in html, page
        for script in re.findall(r"<script\b[^>]*>", html):
            assert re.search(r'src="[^"]*/assets/(search|finder|print)\.js\?v=\w+"', script), (page, script)
        assert re.search(r"<script\b[^>]*>\s*[^<\s]", html) is None, page  # no inline code


def test_a_status_read_from_the_plans_rag_cell_is_shown_and_exported(tmp_path):
    """An imported complete status has no quoted words, only what the RAG cell showed: check
    accepts it, the page says it beside the status, and the open data carries it."""
    site = build_with(tmp_path, {"            status_words: Completed\n":
                                 '            rag: "blue (#0070C0), key: Completed"\n'})
    done = (site / "areas/exampleshire/actions/1-2/index.html").read_text()
    assert ('<strong class="status status-complete" data-pagefind-filter="status">Complete</strong> '
            '<span class="status-note">The plan\'s <a class="abbr" href="/glossary/#term-rag">'
            '<abbr title="Red, Amber, Green (a rating of progress)">RAG</abbr></a> cell: '
            'blue (#0070C0), key: Completed</span>') in done
    assert "The plan says" not in done and "No status given in the plan." not in done
    data = {a["id"]: a for a in json.loads((site / "data/actions.json").read_text())}
    assert data["1-2"]["rag"] == "blue (#0070C0), key: Completed" and data["1-1"]["rag"] == ""
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO((site / "data/actions.csv").read_text("utf-8-sig")))}
    assert rows["1-2"]["rag"] == "blue (#0070C0), key: Completed"
