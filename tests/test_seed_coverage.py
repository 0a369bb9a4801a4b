"""The seed coverage check itself: it must notice a lost or changed word."""

from __future__ import annotations

from .seed_coverage import missing_lines


def test_coverage_notices_a_dropped_or_corrected_word(tmp_path):
    seed = tmp_path / "seed.txt"
    seed.write_text("\t1.1 Review the crisis pathway\n\t· Street triage pilot\n\tKMPT\n\tNo.\n", encoding="utf-8")
    good = tmp_path / "x.yaml"
    good.write_text('sections:\n  - actions:\n      - number: "1.1"\n        action: |-\n'
                    '          Review the crisis pathway\n          - Street triage pilot\n'
                    '        lead_text: KMPT\n', encoding="utf-8")
    assert missing_lines(seed, good, "no-such-area") == ["No."]
    dropped = tmp_path / "dropped.yaml"
    dropped.write_text(good.read_text().replace("Street triage pilot", "Street triage"), encoding="utf-8")
    assert missing_lines(seed, dropped, "no-such-area") == ["Street triage pilot", "No."]
    corrected = tmp_path / "corrected.yaml"
    corrected.write_text(good.read_text().replace("crisis pathway", "crisis  pathways"), encoding="utf-8")
    assert "1.1 Review the crisis pathway" in missing_lines(seed, corrected, "no-such-area")
