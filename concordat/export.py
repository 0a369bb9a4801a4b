"""Open data: every action as JSON and CSV, for the whole site and for each area.

The columns are the same in both formats so a spreadsheet and a script see the same data.
"""

from __future__ import annotations

import csv
import io
import json

from .compare import COMPARISON_COLUMNS, comparison_records
from .model import STATUS_LABELS, Action, Area, Site
from .routes import action_url

COLUMNS = [
    "area", "area_slug", "id", "number", "title", "theme", "theme_id", "subtheme", "section", "group",
    "action", "outcomes", "leads", "lead_names", "lead_text", "timescale", "due", "progress", "status",
    "status_label", "status_words", "rag", "sic", "url",
]


def action_record(site: Site, area: Area, action: Action) -> dict:
    theme = site.theme(action.theme_id) if action.theme_id else None
    sub = theme.subtheme(action.subtheme_id) if theme else None
    return {
        "area": area.name,
        "area_slug": area.slug,
        "id": action.id,
        "number": action.number,
        "title": action.title,
        "theme": theme.title if theme else "",
        "theme_id": theme.id if theme else "",
        "subtheme": sub.title if sub else "",
        "section": action.section_heading or "",
        "group": action.group_heading or "",
        "action": action.text,
        "outcomes": action.outcomes,
        "leads": list(action.leads),
        "lead_names": [site.organisations[i].name for i in action.leads],
        "lead_text": action.lead_text,
        "timescale": action.timescale,
        "due": action.due or "",
        "progress": action.progress,
        "status": action.status,
        "status_label": STATUS_LABELS[action.status],
        "status_words": action.status_words,
        "rag": action.rag,
        "sic": list(action.sic),
        "url": site.config.origin + site.config.base_path + action_url(action),
    }


def to_json(records: list[dict]) -> bytes:
    """A JSON array with one action per line: readable in a diff, and fast (json's C encoder)."""
    lines = ",\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    return f"[\n{lines}\n]\n".encode()


def to_csv(records: list[dict], columns: list[str] = COLUMNS) -> bytes:
    """CSV with lists joined by '; ', UTF-8 with a BOM so spreadsheet programs read accents right."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: "; ".join(v) if isinstance(v, list) else v for k, v in record.items()})
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def data_files(site: Site) -> dict[str, bytes]:
    """Output path -> bytes for every open data file."""
    files: dict[str, bytes] = {}
    everything = []
    for area in site.areas:
        records = [action_record(site, area, a) for a in area.actions]
        everything += records
        files[f"data/areas/{area.slug}.json"] = to_json(records)
        files[f"data/areas/{area.slug}.csv"] = to_csv(records)
    files["data/actions.json"] = to_json(everything)
    files["data/actions.csv"] = to_csv(everything)
    files["data/comparison.csv"] = to_csv(comparison_records(site), COMPARISON_COLUMNS)
    return files
