"""The organisations and glossary terms a change adds, removes or renames, for `build.py diff`:
a renamed organisation changes every page that names it, which a diff of YAML lines hides."""

from __future__ import annotations

import dataclasses
import html
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..pipeline import Project


@dataclass(frozen=True)
class NameChange:
    """An organisation or glossary term added, removed or renamed, and the touched pages showing it."""

    kind: str  # "organisation" or "glossary term"
    key: str  # the organisation's id, or the term
    change: str  # "added", "removed", "renamed", "meaning changed", "short names changed"
    before: str  # its name (or meaning) before; "" when added
    after: str  # and after; "" when removed
    file: str  # where it is defined
    pages: tuple[str, ...] = ()  # touched pages whose words include it (output files)


def _yaml(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def name_changes(before: Project, after: Project, pages: dict) -> tuple[NameChange, ...]:
    """Organisations and glossary terms added, removed or renamed, each with the touched pages showing it."""
    found: list[NameChange] = []
    registry = "content/organisations.yaml"
    old = {str(o.get("id")): o for o in _yaml(before.root / registry).get("organisations") or () if isinstance(o, dict)}
    new = {str(o.get("id")): o for o in _yaml(after.root / registry).get("organisations") or () if isinstance(o, dict)}
    for key in [*new, *(k for k in old if k not in new)]:
        was, now = old.get(key), new.get(key)
        if was is None or now is None:
            found.append(NameChange("organisation", key, "added" if was is None else "removed",
                                    str((was or {}).get("name", "")), str((now or {}).get("name", "")), registry))
        elif was.get("name") != now.get("name"):
            found.append(NameChange("organisation", key, "renamed", str(was.get("name")), str(now.get("name")),
                                    registry))
        elif list(was.get("short_names") or ()) != list(now.get("short_names") or ()):
            found.append(NameChange("organisation", key, "short names changed",
                                    ", ".join(map(str, was.get("short_names") or ())),
                                    ", ".join(map(str, now.get("short_names") or ())), registry))
    glossaries = sorted({"content/site.yaml", *(p.relative_to(side.root).as_posix() for side in (before, after)
                                                for p in (side.content / "areas").glob("*.yaml"))})
    for file in glossaries:
        found += _term_changes(file, _yaml(before.root / file).get("glossary"),
                               _yaml(after.root / file).get("glossary"))
    return tuple(dataclasses.replace(c, pages=_showing(c, pages)) for c in found)


def _term_changes(file: str, old_list, new_list) -> list[NameChange]:
    def terms(entries) -> dict[str, str]:
        return {str(e.get("term")): str(e.get("meaning", "")) for e in entries or () if isinstance(e, dict)}

    old, new = terms(old_list), terms(new_list)
    added = [t for t in new if t not in old]
    removed = [t for t in old if t not in new]
    found = []
    for term in added:
        was = next((t for t in removed if old[t] == new[term]), None)  # the same meaning under a new term
        if was is not None:
            removed.remove(was)
            found.append(NameChange("glossary term", term, "renamed", was, term, file))
        else:
            found.append(NameChange("glossary term", term, "added", "", f"{term}: {new[term]}", file))
    found += [NameChange("glossary term", t, "removed", f"{t}: {old[t]}", "", file) for t in removed]
    found += [NameChange("glossary term", t, "meaning changed", old[t], new[t], file)
              for t in new if t in old and old[t] != new[t]]
    return found


def _showing(change: NameChange, pages: dict[str, tuple[bytes | None, bytes | None]]) -> tuple[str, ...]:
    """The touched pages whose HTML holds the name before or after (or the term, for a term)."""
    if change.kind == "organisation":
        words = [w for w in (change.before, change.after) if w]
    else:
        words = [change.key] + ([change.before] if change.change == "renamed" else [])
    needles = [html.escape(w, quote=False).encode() for w in words]
    return tuple(output for output, (was, now) in pages.items()
                 if any(n in (was or b"") or n in (now or b"") for n in needles))
