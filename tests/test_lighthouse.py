"""Lighthouse scores for the main page kinds (see tests/lighthouse_report.py)."""

from __future__ import annotations

import pytest

from . import lighthouse_report

pytestmark = pytest.mark.browser


def test_lighthouse_scores_meet_the_targets(tmp_path):
    if not lighthouse_report.LIGHTHOUSE.exists():
        pytest.fail("Lighthouse is not installed: run `bash tests/setup.sh`")
    scores = lighthouse_report.run(tmp_path / "lighthouse")
    assert set(scores) == set(lighthouse_report.PAGES)
    assert lighthouse_report.meets_targets(scores), scores
