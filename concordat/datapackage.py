"""What each open data file holds, said once: for machines as a Frictionless data package
(`data/datapackage.json`) and a CSVW descriptor (`data/csv-metadata.json`), and for people as
the data dictionary page (`data/`).

A column that is a content field takes its meaning, type and allowed values from the JSON
Schema that defines the field, so the descriptions cannot drift from what editors are told;
a column the build works out (a theme's title, the status shown, a count) is described in
DERIVED below. A column with neither is an error: the build stops and names it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .compare import COMPARISON_COLUMNS
from .model import STATUS_LABELS, Site
from .schema_check import load_schema, resolve

# The columns of the actions files (CSV; the JSON files have the same keys, with `updates` as a
# list where a CSV row has the latest update) and of updates.csv.
COLUMNS = [
    "area", "area_slug", "id", "number", "title", "theme", "theme_id", "subtheme", "subtheme_id", "section", "group",
    "action", "outcomes", "leads", "lead_names", "lead_text", "timescale", "due", "progress", "status",
    "status_label", "status_words", "rag", "sic", "plan_status", "latest_update_date", "latest_update_status",
    "latest_update_text", "area_reviewed", "area_next_review", "area_rag_column", "overdue_at_review", "url",
]
# data/places.csv: what each plan covers (its `covers`), for the home page's finder.
PLACE_COLUMNS = ["area", "area_slug", "name", "council", "within", "towns", "area_url"]
UPDATE_COLUMNS = ["area", "area_slug", "id", "number", "date", "status", "status_label", "text", "url"]

_ACTION_FIELDS = load_schema("area")["$defs"]["action"]["properties"]

# Column -> (schema, definition, property) of the content field it holds. A column named after an
# action's field holds that field, except `status`: the status shown (DERIVED); the plan's is `plan_status`.
FROM_SCHEMA: dict[str, tuple[str, str | None, str]] = {
    **{name: ("area", "action", name) for name in COLUMNS if name in _ACTION_FIELDS and name != "status"},
    "area": ("area", None, "name"),
    "area_slug": ("area", None, "slug"),
    "theme_id": ("area", "section", "theme"),
    "subtheme_id": ("area", "group", "subtheme"),
    "section": ("area", "section", "heading"),
    "group": ("area", "group", "heading"),
    "plan_status": ("area", "action", "status"),
    "area_reviewed": ("area", None, "reviewed"),
    "area_rag_column": ("area", "source", "rag_column"),
    "name": ("area", "council_area", "name"),
    "council": ("area", "council_area", "council"),
    "within": ("area", "council_area", "within"),
    "towns": ("area", "council_area", "towns"),
    "date": ("area", "update", "date"),
    "text": ("area", "update", "text"),
}

_STATUSES = tuple(STATUS_LABELS)
_LABELS = tuple(STATUS_LABELS.values())

# Columns the build works out: (type, description, allowed values).
DERIVED: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "title": ("string", "The action's first words, as its page heading shows them.", ()),
    "theme": ("string", "The national theme's heading (content/themes.yaml) the action comes under; empty for "
                        "actions printed before the first theme.", ()),
    "subtheme": ("string", "The national sub-heading the action's group matches, where it matches one.", ()),
    "lead_names": ("array", "Full names of the lead organisations, in the order of `leads`.", ()),
    "status": ("string", "The status shown on the site: the latest progress update's status, or the plan's own "
                         "(`plan_status`) where the action has no updates.", _STATUSES),
    "status_label": ("string", "The status in words, as the site shows it.", _LABELS),
    "latest_update_date": ("date", "Date of the action's latest progress update (every update is in updates.csv "
                                   "and in the JSON files).", ()),
    "latest_update_status": ("string", "Status given by the latest progress update.", _STATUSES),
    "latest_update_text": ("string", "What the latest progress update says.", ()),
    "area_next_review": ("date", "When the area's next review is due: the last review date plus the months "
                                 "between reviews.", ()),
    "overdue_at_review": ("boolean", "yes when the action was due before the area's last review and was not "
                                     "complete at it, judged at that review's date; otherwise no.", ()),
    "url": ("string", "Address of the action's page on this site.", ()),
    "area_url": ("string", "Address of the plan's page on this site.", ()),
    "region": ("string", "The English region the area belongs to, where the plan gives one.", ()),
    "level": ("string", "theme: the row counts an area's actions under a national theme; sub-heading: under one "
                        "of the theme's national sub-headings.", ("theme", "sub-heading")),
    "actions": ("integer", "How many of the area's actions come under this theme or sub-heading.", ()),
    **{status.replace("-", "_"): ("integer", f"How many of those actions have the status {label} "
                                             f"(as shown on the site).", ())
       for status, label in STATUS_LABELS.items()},
}


class UndescribedColumn(Exception):
    """An open data column that neither a schema field nor DERIVED describes."""


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # a Frictionless field type
    description: str
    allowed: tuple[str, ...] = ()
    pattern: str | None = None

    @property
    def in_words(self) -> str:
        return {"string": "Text", "date": "A date, YYYY-MM-DD", "integer": "A whole number",
                "array": "A list (in a CSV file its items are separated by “; ”)",
                "boolean": "yes or no"}[self.type]

    def frictionless(self, json_lists: bool = False) -> dict:
        field = {"name": self.name, "type": self.type, "description": self.description}
        if self.type == "array" and not json_lists:
            field["type"] = "string"  # the CSV joins a list with "; "
        if self.type == "boolean" and not json_lists:
            field.update(trueValues=["yes"], falseValues=["no"])
        constraints = {}
        if self.allowed:
            constraints["enum"] = list(self.allowed)
        if self.pattern and field["type"] == "string":
            constraints["pattern"] = self.pattern
        if constraints:
            field["constraints"] = constraints
        return field


@dataclass(frozen=True)
class Table:
    """One kind of data file: its columns, its key, and the files that hold it."""

    name: str
    title: str
    description: str
    row: str  # what one row is, in words
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    csv_files: tuple[str, ...]
    json_files: tuple[str, ...] = ()
    foreign_key: tuple[tuple[str, ...], str] | None = None  # (fields, table of the same fields)


def describe(column: str) -> Field:
    """A column's type, meaning and allowed values, from its schema field or DERIVED."""
    if column in FROM_SCHEMA:
        schema_name, definition, prop = FROM_SCHEMA[column]
        root = load_schema(schema_name)
        schema = (root if definition is None else root["$defs"][definition])["properties"][prop]
        target = resolve(root, schema)
        description = schema.get("description") or target.get("description", "")
        kind = {"array": "array", "integer": "integer"}.get(target.get("type"), "string")
        pattern = target.get("pattern")
        if pattern == "^[0-9]{4}-[0-9]{2}-[0-9]{2}$":
            kind, pattern = "date", None
        return Field(column, kind, description, tuple(target.get("enum", ())), pattern)
    if column in DERIVED:
        kind, description, allowed = DERIVED[column]
        return Field(column, kind, description, allowed)
    raise UndescribedColumn(
        f"the open data column '{column}' has no description: give it one in DERIVED in "
        "concordat/datapackage.py, or map it to the schema field it holds in FROM_SCHEMA")


def tables(site: Site) -> tuple[Table, ...]:
    """Every kind of published data file: its columns, described, its key and the files that hold it."""
    slugs = [area.slug for area in site.areas]
    return (
        Table("actions", "Actions", "Every action of every plan, one row each, with its latest progress update.",
              "action",
              tuple(describe(c) for c in COLUMNS), ("area_slug", "id"),
              ("actions.csv", *(f"areas/{slug}.csv" for slug in slugs)),
              ("actions.json", *(f"areas/{slug}.json" for slug in slugs))),
        Table("updates", "Progress updates", "Every dated progress update of every action, oldest first.",
              "progress update",
              tuple(describe(c) for c in UPDATE_COLUMNS), ("area_slug", "id", "date", "text"),
              ("updates.csv",), foreign_key=(("area_slug", "id"), "actions")),
        Table("places", "Places the plans cover", "Each council area a plan covers, with its main towns: the "
              "home page's finder is made from it.", "council area that a plan covers",
              tuple(describe(c) for c in PLACE_COLUMNS), ("area_slug", "name"), ("places.csv",), ("places.json",)),
        Table("comparison", "Comparison of areas", "How many actions each area has under each national theme "
              "and sub-heading, by status.", "area and theme, or area and sub-heading",
              tuple(describe(c) for c in COMPARISON_COLUMNS),
              ("area_slug", "level", "theme_id", "subtheme_id"), ("comparison.csv",)),
    )


def _json_fields(table: Table) -> list[dict]:
    """A JSON action has its updates as a list where a CSV row has the latest one."""
    fields = [f.frictionless(json_lists=True) for f in table.fields if not f.name.startswith("latest_update_")]
    if table.name != "actions":
        return fields
    position = next(i for i, f in enumerate(fields) if f["name"] == "plan_status") + 1
    fields.insert(position, {"name": "updates", "type": "array",
                             "description": "The action's dated progress updates, oldest first: each has date, "
                                            "status, status_label and text (as in updates.csv)."})
    return fields


def data_package(site: Site, tables: tuple[Table, ...]) -> bytes:
    """`data/datapackage.json`: a Frictionless data package describing every published data file."""
    resources = []
    for table in tables:
        schema = {"fields": [f.frictionless() for f in table.fields], "missingValues": [""],
                  "primaryKey": list(table.primary_key)}
        if table.foreign_key:
            fields, other = table.foreign_key
            schema["foreignKeys"] = [{"fields": list(fields),
                                      "reference": {"resource": other, "fields": list(fields)}}]
        for path in table.csv_files:
            name = table.name if path == f"{table.name}.csv" else f"{table.name}-{path.split('/')[-1][:-4]}"
            resource = {"name": name, "path": path, "profile": "tabular-data-resource", "title": table.title,
                        "description": table.description,
                        "format": "csv", "mediatype": "text/csv", "encoding": "utf-8-sig",
                        "dialect": {"csv": {"lineTerminator": "\r\n"}}, "schema": schema}
            if table.foreign_key and name != table.name:
                resource["schema"] = {k: v for k, v in schema.items() if k != "foreignKeys"}
            resources.append(resource)
        for path in table.json_files:
            resources.append({"name": f"{table.name}-json" if path == f"{table.name}.json"
                              else f"{table.name}-json-{path.split('/')[-1][:-5]}",
                              "path": path, "profile": "tabular-data-resource", "title": table.title + " (JSON)",
                              "description": table.description,
                              "format": "json", "mediatype": "application/json", "encoding": "utf-8",
                              "schema": {"fields": _json_fields(table), "primaryKey": list(table.primary_key)}})
    package = {
        "profile": "tabular-data-package",
        "name": "concordat-plans",
        "title": site.config.title,
        "description": site.config.description,
        "homepage": site.config.origin + site.config.base_path if site.config.origin else None,
        "licenses": [_licence(site)] if site.config.licence_url else None,
        "contributors": [{"title": site.config.title, "email": site.config.contact_email, "role": "publisher"}],
        "resources": resources,
    }
    return _dump({k: v for k, v in package.items() if v is not None})


def csvw_metadata(site: Site, tables: tuple[Table, ...]) -> bytes:
    """`data/csv-metadata.json`: the same CSV files described in W3C CSV on the Web terms."""
    datatypes = {"string": "string", "date": "date", "integer": "integer", "array": "string",
                 "boolean": {"base": "boolean", "format": "yes|no"}}
    documents = []
    for table in tables:
        columns = []
        for field in table.fields:
            column = {"name": field.name, "titles": field.name, "dc:description": field.description,
                      "datatype": datatypes[field.type], "null": ""}
            if field.type == "array":
                column["separator"] = "; "
                column["datatype"] = "string"
            if field.allowed:
                column["datatype"] = {"base": "string", "format": "|".join(field.allowed)}
            columns.append(column)
        for path in table.csv_files:
            documents.append({"url": path, "dc:title": table.title, "dc:description": table.description,
                              "tableSchema": {"columns": columns, "primaryKey": list(table.primary_key)}})
    metadata = {"@context": "http://www.w3.org/ns/csvw", "dc:title": site.config.title,
                "dc:license": {"@id": site.config.licence_url} if site.config.licence_url else None,
                "tables": documents}
    return _dump({k: v for k, v in metadata.items() if v is not None})


def _licence(site: Site) -> dict:
    return {"path": site.config.licence_url, "title": site.config.licence_title}


def _dump(value) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
