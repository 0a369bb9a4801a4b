"""What the import produces: the plan as sections, groups and actions, before it is written as YAML;
and `Cursor`, where the reading of the document has got to."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ImportedAction:
    where: str
    fields: dict[str, str] = field(default_factory=dict)
    status: str = "not-rated"
    rag: str = ""  # what the plan's RAG cell showed, when the status was read from it
    leads: list[str] = field(default_factory=list)
    id: str = ""
    comments: list[str] = field(default_factory=list)
    kept: dict = field(default_factory=dict)  # fields an editor added by hand, kept by `import --update`


@dataclass
class ImportedGroup:
    heading: str | None = None
    theme: str | None = None
    subtheme: str | None = None
    comments: list[str] = field(default_factory=list)
    actions: list[ImportedAction] = field(default_factory=list)


@dataclass
class ImportedSection:
    heading: str
    theme: str
    comments: list[str] = field(default_factory=list)
    groups: list[ImportedGroup] = field(default_factory=list)


@dataclass
class ImportedPlan:
    name: str
    slug: str
    title: str | None = None
    preamble: list[ImportedAction] = field(default_factory=list)
    sections: list[ImportedSection] = field(default_factory=list)
    kpi_intro: str | None = None
    kpis: list[dict[str, str]] = field(default_factory=list)
    glossary: list[dict[str, str]] = field(default_factory=list)
    notes: list[dict[str, str]] = field(default_factory=list)
    kept: dict = field(default_factory=dict)  # top-level fields an editor added by hand, kept by `import --update`
    comments: list[str] = field(default_factory=list)  # REVIEW notes about the whole plan

    def actions(self) -> list[ImportedAction]:
        return self.preamble + [a for s in self.sections for g in s.groups for a in g.actions]


@dataclass
class Cursor:
    section: ImportedSection | None = None
    group: ImportedGroup | None = None
    last_action: ImportedAction | None = None
    columns: dict[int, str] | None = None
    width: int = 0
    seen_action: bool = False
    mode: str = ""  # "glossary" or "kpi" while reading paragraphs of those lists
    kpi_group: str | None = None
