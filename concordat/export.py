"""Open data: every action as JSON and CSV, for the whole site and for each area.

The columns are the same in both formats so a spreadsheet and a script see the same data,
except for progress updates: JSON gives each action's `updates` as a list; a CSV row has
only the latest update (`latest_update_*`), and `data/updates.csv` has one row per update.
`data/places.csv` and `.json` list the council areas and towns each plan covers.
`status` is the status shown on the site (the latest update's); `plan_status` is the plan's own.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile

from . import datapackage
from .compare import COMPARISON_COLUMNS, comparison_records
from .datapackage import COLUMNS, PLACE_COLUMNS, UPDATE_COLUMNS
from .memo import derived
from .model import STATUS_LABELS, Action, Area, Organisation, Site, SiteConfig, Theme
from .spreadsheet import area_spreadsheet
from .urls import action_url, area_url

# The keys of an action's JSON record: the CSV's columns, with the list of updates where a CSV row
# has the latest one.
RECORD_KEYS = [key for key in COLUMNS if not key.startswith("latest_update_")]
RECORD_KEYS.insert(COLUMNS.index("latest_update_date"), "updates")


def action_record(area: Area, action: Action, config: SiteConfig, themes: tuple[Theme, ...],
                  leads: dict[str, Organisation]) -> dict:
    """An action as open data. A column named after a field of `Action` holds it as the model has it
    (a list as a list, no value as ""), so a field added to the model and to COLUMNS needs no edit here."""
    theme = next(t for t in themes if t.id == action.theme_id) if action.theme_id else None
    sub = theme.subtheme(action.subtheme_id) if theme else None
    worked_out = {
        "area": area.name,
        "area_slug": area.slug,
        "title": action.title,
        "theme": theme.title if theme else "",
        "theme_id": theme.id if theme else "",
        "subtheme": sub.title if sub else "",
        "subtheme_id": sub.id if sub else "",
        "section": action.section_heading or "",
        "group": action.group_heading or "",
        "action": action.text,
        "lead_names": [leads[i].name for i in action.leads],
        "status_label": STATUS_LABELS[action.status],
        "updates": [{"date": u.date, "status": u.status, "status_label": u.status_label, "text": u.text}
                    for u in action.updates],
        "area_reviewed": area.reviewed or "",
        "area_next_review": area.next_review or "",
        "area_rag_column": area.rag_column,  # why the plan's actions may be Not rated: "none", "colours-lost" or ""
        "overdue_at_review": bool(action.overdue_at_review),
        "url": config.origin + config.base_path + action_url(action),
    }
    return {key: worked_out[key] if key in worked_out else _as_data(getattr(action, key)) for key in RECORD_KEYS}


def _as_data(value):
    """A model value as open data: a tuple as a list, None as ""."""
    return list(value) if isinstance(value, tuple) else "" if value is None else value


def place_records(site: Site) -> list[dict]:
    """One row per council area a plan covers (its `covers`), with its towns."""
    return [{"area": area.name, "area_slug": area.slug, "name": place.name, "council": place.council,
             "within": place.within, "towns": list(place.towns),
             "area_url": site.config.origin + site.config.base_path + area_url(area)}
            for area in site.areas for place in area.covers]


def csv_row(record: dict) -> dict:
    """A record as one CSV row: the latest update in place of the list (to_csv joins the other lists)."""
    row = dict(record)
    latest = row.pop("updates")[-1:] or [{}]
    row["latest_update_date"] = latest[0].get("date", "")
    row["latest_update_status"] = latest[0].get("status", "")
    row["latest_update_text"] = latest[0].get("text", "")
    row["overdue_at_review"] = "yes" if record["overdue_at_review"] else "no"
    return row


def update_rows(records: list[dict]) -> list[dict]:
    """One row per progress update, oldest first within each action."""
    return [{"area": r["area"], "area_slug": r["area_slug"], "id": r["id"], "number": r["number"], **update,
             "url": r["url"]} for r in records for update in r["updates"]]


def to_json(records: list[dict]) -> bytes:
    """A JSON array with one action per line: readable in a diff, and fast (json's C encoder)."""
    return _json_array(_json_lines(records))


def _json_lines(records: list[dict]) -> list[str]:
    return [json.dumps(r, ensure_ascii=False) for r in records]


def _json_array(lines: list[str]) -> bytes:
    return ("[\n" + ",\n".join(lines) + "\n]\n").encode()


def to_csv(records: list[dict], columns: list[str] = COLUMNS) -> bytes:
    """CSV with lists joined by '; ', UTF-8 with a BOM so spreadsheet programs read accents right."""
    return _csv_file(_csv_rows(records, columns), columns)


def _csv_rows(records: list[dict], columns: list[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    for record in records:
        writer.writerow({k: "; ".join(v) if isinstance(v, list) else v for k, v in record.items()})
    return out.getvalue()


def _csv_file(rows: str, columns: list[str]) -> bytes:
    return ("\ufeff" + ",".join(columns) + "\r\n" + rows).encode("utf-8")


def data_files(site: Site, dated: str | None = None) -> dict[str, bytes]:
    """Output path -> bytes for every open data file: the tables, their descriptions (Frictionless and
    CSVW) and one zip of everything. `dated` is the date the content was last changed (from git),
    given in the zip; without it the zip says the date is not known.

    Each area's records are encoded once, for its own files and the national ones, and cached
    (`memo`): the preview encodes again only the area that was saved."""
    files: dict[str, bytes] = {}
    json_lines: list[str] = []
    csv_rows: list[str] = []
    update_rows_: list[str] = []
    for area in site.areas:
        lines, rows, updates = derived(_area_data, area, (site.config, site.themes, _lead_organisations(site, area)))
        files[f"data/areas/{area.slug}.json"] = _json_array(lines)
        files[f"data/areas/{area.slug}.csv"] = _csv_file(rows, COLUMNS)
        files[f"data/areas/{area.slug}.xlsx"] = derived(_spreadsheet, area, (site.config, dated))
        json_lines += lines
        csv_rows.append(rows)
        update_rows_.append(updates)
    files["data/actions.json"] = _json_array(json_lines)
    files["data/actions.csv"] = _csv_file("".join(csv_rows), COLUMNS)
    files["data/updates.csv"] = _csv_file("".join(update_rows_), UPDATE_COLUMNS)
    files["data/comparison.csv"] = to_csv(comparison_records(site), COMPARISON_COLUMNS)
    places = place_records(site)
    files["data/places.json"] = to_json(places)
    files["data/places.csv"] = to_csv(places, PLACE_COLUMNS)
    described = datapackage.tables(site)
    files["data/datapackage.json"] = datapackage.data_package(site, described)
    files["data/csv-metadata.json"] = datapackage.csvw_metadata(site, described)
    files[ZIP] = everything_zip(site, files, dated)
    return files


ZIP = "data/concordat-plans.zip"


def everything_zip(site: Site, files: dict[str, bytes], dated: str | None) -> bytes:
    """Every data file in one download, with a note of what it is, its licence and its date.

    Entries carry that date (or 1980-01-01, zip's earliest) rather than the time of the build,
    so two builds of the same content give the same bytes."""
    stamp = tuple(int(part) for part in dated.split("-")) + (0, 0, 0) if dated else (1980, 1, 1, 0, 0, 0)
    licence = (f"Licence: {site.config.licence_title} ({site.config.licence_url})" if site.config.licence_url
               else "Licence: none is given in content/site.yaml.")
    readme = "\n".join([
        site.config.title, "",
        "Every action of every published plan, as open data.",
        f"It holds the site's content as it was on {dated}, the date of its last change." if dated else
        "The date of the content's last change is not known (the site was built without its git history).",
        licence, "",
        "datapackage.json (Frictionless) and csv-metadata.json (CSV on the Web) describe every file and column.",
        "The CSV files hold the exact values, for programs. To read a plan in Excel, open its .xlsx file:",
        "Excel treats a CSV cell starting with =, +, - or @ as a formula.", "",
    ])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [("README.txt", readme.encode("utf-8")),
                           *((path.removeprefix("data/"), data) for path, data in sorted(files.items()))]:
            info = zipfile.ZipInfo(f"concordat-plans/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_STORED if name.endswith(".xlsx") else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data, compresslevel=1)  # a national site's data is tens of MB: fast, not small
    return out.getvalue()


def _spreadsheet(area: Area, inputs: tuple[SiteConfig, str | None]) -> bytes:
    return area_spreadsheet(area=area, config=inputs[0], dated=inputs[1])


def _lead_organisations(site: Site, area: Area) -> dict[str, Organisation]:
    """The organisations an area's actions name as leads: the area's lead names come from these."""
    return {org_id: site.organisations[org_id] for org_id in area.actions_by_lead}


def _area_data(area: Area, inputs: tuple[SiteConfig, tuple[Theme, ...], dict[str, Organisation]]
               ) -> tuple[list[str], str, str]:
    """An area's actions as JSON lines, CSV rows and update CSV rows (no headers), from the site's
    settings, its themes and the organisations the area's actions name as leads."""
    records = [action_record(area, a, *inputs) for a in area.actions]
    return (_json_lines(records), _csv_rows([csv_row(r) for r in records], COLUMNS),
            _csv_rows(update_rows(records), UPDATE_COLUMNS))
