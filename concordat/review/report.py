"""Telling what a change does to the plans: plain text, Markdown for a job summary, JSON for tools."""

from __future__ import annotations

import dataclasses
import json
import re

from ..history import ActionChange, AreaChange
from ..model import STATUS_LABELS
from ..render import long_date
from .diff import WORKING_TREE, Review

PAGES_LISTED = 60  # in the text and Markdown forms; JSON lists them all


def as_json(found: Review) -> str:
    areas = []
    for area in found.areas:
        record = dataclasses.asdict(area)
        for action in record["actions"]:
            action["first_words"] = found.first_words.get((area.slug, action["id"]), "")
            action["status_before"], action["status_after"] = found.statuses.get((area.slug, action["id"]), ("", ""))
        areas.append(record)
    return json.dumps({
        "base": found.base, "base_name": found.base_name, "head": found.head, "files": list(found.files),
        "areas": areas, "names": [dataclasses.asdict(n) for n in found.names],
        "pages": {"added": list(found.pages_added), "changed": list(found.pages_changed),
                  "removed": list(found.pages_removed)},
        "pages_problem": found.pages_problem,
    }, ensure_ascii=False, indent=2) + "\n"


def as_text(found: Review) -> str:
    return "\n".join(_told(found, _Plain())) + "\n"


def as_markdown(found: Review, preview: str | None = None) -> str:
    """The change as a GitHub job summary; `preview` names the artifact holding the built site."""
    return "\n".join(_told(found, _Markdown(), preview)) + "\n"


class _Plain:
    def esc(self, text: str) -> str:
        return text

    def heading(self, text: str, level: int) -> str:
        return text

    def item(self, text: str, depth: int = 0) -> str:
        return "  " * (depth + 1) + ("- " if depth else "") + text

    def name(self, text: str) -> str:
        return text

    def path(self, text: str) -> str:
        return text

    marks = {"+": "[added: {}]", "-": "[removed: {}]"}

    def words(self, parts) -> str:
        """Changed words in words, as the site's hidden labels say them: unchanged text as it is, and
        "[added: …]" / "[removed: …]" (spaces at their ends kept outside the marks)."""
        told = []
        for part in parts:
            if part.op == "=":
                told.append(self.esc(part.text))
                continue
            words = part.text.strip()
            if not words:
                words = "a line break" if "\n" in part.text else "a space"
            start, end = part.text[:len(part.text) - len(part.text.lstrip())], part.text[len(part.text.rstrip()):]
            told.append(start + self.marks[part.op].format(self.esc(words)) + end)
        return "".join(told).replace("\n", " / ")


class _Markdown(_Plain):
    def esc(self, text: str) -> str:
        return re.sub(r"([\\`*_{}\[\]<>#|~&])", r"\\\1", text).replace("\n", " / ")

    def heading(self, text: str, level: int) -> str:
        return f"{'#' * level} {text}\n"

    def item(self, text: str, depth: int = 0) -> str:
        return "  " * depth + "- " + text

    def name(self, text: str) -> str:
        return f"**{text}**"

    def path(self, text: str) -> str:
        return f"`` {text} ``" if "`" in text else f"`{text}`"

    marks = {"+": "**[added: {}]**", "-": "~~[removed: {}]~~"}


def _told(found: Review, style: _Plain, preview: str | None = None) -> list[str]:
    """The whole account, in `style`: what was compared, each plan, the names, the pages, the preview."""
    esc = style.esc
    against = f"{found.base_name} at commit {found.base[:7]}"
    lines = [style.heading("What this change does to the plans", 2),
             f"Compared with {esc(against)}, where this branch left it; "
             f"{'the working tree' if found.head == WORKING_TREE else 'commit ' + found.head[:7]} "
             f"changes {len(found.files)} file{'s' if len(found.files) != 1 else ''}.", ""]
    if not found.areas and not found.names:
        lines += ["No plan, organisation or glossary term changed.", ""]
    for area in found.areas:
        lines += _told_area(found, area, style)
    lines += _told_names(found, style)
    lines += _told_pages(found, style)
    if preview:
        lines += _told_preview(found, style, preview)
    return lines


def _told_area(found: Review, area: AreaChange, style: _Plain) -> list[str]:
    """One plan: its heading as the changes pages give it, what became of the plan, and each action."""
    esc = style.esc
    lines = [style.heading(f"{esc(area.name)} ({style.path(f'content/areas/{area.slug}.yaml')})", 3),
             f"{esc(area.summary)} (the heading the changes pages will give it).", ""]
    if area.renamed_from:
        lines.append(style.item(f"The plan's file was renamed from {style.path(area.renamed_from)}."))
    if area.kind in ("added", "readable"):
        lines.append(style.item(f"The plan is published, with {_count(area.action_count, 'action')}."))
    elif area.kind == "removed":
        lines.append(style.item(f"The plan is removed (it had {_count(area.action_count, 'action')})."))
    elif area.kind == "unreadable":
        lines.append(style.item(f"This version of the plan cannot be read: {esc(area.reason)}"))
    for action in area.actions:
        lines += _told_action(action, found.statuses.get((area.slug, action.id), ("", "")), style)
    if area.other:
        lines.append(style.item(f"Changed in the plan: {esc(', '.join(area.other))}."))
    lines.append("")
    return lines


def _told_action(action: ActionChange, statuses: tuple[str, str], style: _Plain) -> list[str]:
    """One action: added or removed with its status, or changed (status, updates, words, other fields)."""
    esc = style.esc
    title = style.name(esc(action.label)) + f" (id {style.path(action.id)})"  # its number and first words
    was, now = statuses
    if action.kind == "added":
        return [style.item(f"{title}: added" + (f", status {STATUS_LABELS[now]}." if now else "."))]
    if action.kind == "removed":
        return [style.item(f"{title}: removed" + (f" (its status was {STATUS_LABELS[was]})." if was else "."))]
    lines = [style.item(f"{title}:")]
    if action.status_changed:
        lines.append(style.item(f"Status {STATUS_LABELS[action.status_from]} → "
                                f"{STATUS_LABELS[action.status_to]}.", 1))
    else:
        lines.append(style.item(f"Status {STATUS_LABELS[action.status_to]} (unchanged).", 1))
    for date in action.updates:
        lines.append(style.item(f"Progress update of {long_date(date)} added.", 1))
    for text in action.texts:
        lines.append(style.item(f"Changed {text.field}: {style.words(text.parts)}", 1))
    if action.other:
        lines.append(style.item(f"Changed: {esc(', '.join(action.other))}.", 1))
    return lines


def _told_names(found: Review, style: _Plain) -> list[str]:
    """The organisations, then the glossary terms, the change adds, removes or renames."""
    esc = style.esc
    lines = []
    for kind, heading in (("organisation", "Organisations"), ("glossary term", "Glossary terms")):
        changes = [c for c in found.names if c.kind == kind]
        if not changes:
            continue
        lines.append(style.heading(heading, 3))
        for c in changes:
            said = {"added": f"added: “{esc(c.after)}”", "removed": f"removed (was “{esc(c.before)}”)"}.get(
                c.change, f"{c.change}: “{esc(c.before)}” → “{esc(c.after)}”")
            where = f" in {style.path(c.file)}" if kind == "glossary term" else ""
            pages = (f" Pages showing it: {_listed(c.pages, style)}." if c.pages else " No page shows it yet.")
            lines.append(style.item(f"{style.path(c.key)}{where} {said}.{pages}"))
        lines.append("")
    return lines


def _told_pages(found: Review, style: _Plain) -> list[str]:
    """The pages the change touches (at most `PAGES_LISTED` of each kind), or why they cannot be told."""
    lines = [style.heading("Pages this change touches", 3)]
    if found.pages_problem:
        return lines + [style.esc(found.pages_problem) + ".", ""]
    if not found.pages:
        return lines + ["No page of the site changes.", ""]
    lines += [f"{_count(len(found.pages), 'page')}: {len(found.pages_changed)} changed, "
              f"{len(found.pages_added)} new, {len(found.pages_removed)} removed "
              "(files in the built site; the changes pages also get this change once it is merged).", ""]
    for label, pages in (("new", found.pages_added), ("changed", found.pages_changed),
                         ("removed", found.pages_removed)):
        for page in pages[:PAGES_LISTED]:
            lines.append(style.item(f"{style.path(page)} ({label})"))
    if len(found.pages) > PAGES_LISTED * 3 or any(len(p) > PAGES_LISTED for p in
                                                 (found.pages_added, found.pages_changed, found.pages_removed)):
        lines.append(style.item("… and more: `python build.py diff --format json` lists every page."))
    lines.append("")
    return lines


def _told_preview(found: Review, style: _Plain, preview: str) -> list[str]:
    """How to open the built site from the artifact `preview`."""
    return [style.heading("Preview the built site", 3),
            f"Download the artifact {style.path(preview)} from the Artifacts list at the foot of this "
            "run's Summary page and unzip it. Open a page listed above by double-clicking its file (for "
            f"example {style.path(found.pages[0] if found.pages else 'index.html')}), or open "
            f"{style.path('index.html')} for the home page: links between pages work, as on the site. "
            "Search does not: it works once the site is published.", ""]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _listed(pages: tuple[str, ...], style: _Plain) -> str:
    shown = ", ".join(style.path(p) for p in pages[:10])
    return shown + (f" and {len(pages) - 10} more" if len(pages) > 10 else "")
