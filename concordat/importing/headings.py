"""Where each heading of a plan goes: the plan's title, a new section under a national theme, or a
sub-heading (group) within the section, mapped to a national sub-heading only where the words
match closely. A heading that names no theme clearly gets a placeholder theme and a REVIEW comment.
"""

from __future__ import annotations

import re

from .imported import Cursor, ImportedGroup, ImportedPlan, ImportedSection
from .themes import SUBTHEME_SURE, THEME_SURE, Themes

SECTION_NUMBER = re.compile(r"^\s*(\d{1,2})(\.|\)|\s)\s*(?!\d)\S")
ACTION_NUMBER = re.compile(
    r"^\s*(?P<number>\d{1,2}(?:\.\d{1,3})+[a-z]?(?:\s*[–-]\s*\d{1,2}(?:\.\d{1,3})+[a-z]?)?)\.?\s+(?P<rest>\S[\s\S]*)$")


class Headings:
    """Places headings in the plan being read, moving the cursor to the new section or group."""

    def __init__(self, plan: ImportedPlan, cursor: Cursor, themes: Themes):
        self.plan, self.cursor, self.themes = plan, cursor, themes

    def place(self, text: str, where: str, in_table: bool, styled: bool = False) -> bool:
        """Place a heading as the plan's title, a section or a group; False if it is not a heading."""
        if len(text) > 250 or "\n\n" in text:
            return False
        one_line = " ".join(text.split())
        theme, score = self.themes.best_theme(one_line)
        any_sub = self.themes.best_subtheme(one_line)
        sure_sub = any_sub if any_sub and any_sub[2] >= SUBTHEME_SURE else None
        numbered = bool(SECTION_NUMBER.match(one_line)) and not ACTION_NUMBER.match(one_line)
        cursor = self.cursor
        if (not in_table and not self.plan.title and not self.plan.sections and not cursor.seen_action
                and score < THEME_SURE and not numbered and not sure_sub):
            self.plan.title = one_line
            return True
        if score >= THEME_SURE or numbered:
            self._new_section(text, where, theme, score)
        elif sure_sub or in_table:
            if cursor.section is None:
                self._new_section(text, where, sure_sub[0] if sure_sub else theme, 1.0 if sure_sub else score)
            else:
                section_theme = cursor.section.theme
                self._new_group(text, self.themes.best_subtheme(one_line, section_theme), any_sub)
        elif styled:
            self._new_section(text, where, theme, score)
        else:
            return False
        return True

    def _new_section(self, text: str, where: str, theme: dict, score: float) -> None:
        """A section; where the heading does not clearly name a theme, a placeholder and a REVIEW comment."""
        comments = []
        if score < THEME_SURE:
            number = SECTION_NUMBER.match(text)
            by_number = self.themes.by_number(int(number.group(1))) if number else None
            chosen = by_number or theme
            ids = ", ".join(t["id"] for t in self.themes.themes)
            comments.append(f"REVIEW: '{' '.join(text.split())}' ({where}) does not clearly match a national theme. "
                            f"Set theme to the one it comes under: {ids}. "
                            f"'{chosen['id']}' is only a placeholder.")
            theme = chosen
        section = ImportedSection(heading=text, theme=theme["id"], comments=comments)
        self.plan.sections.append(section)
        self.cursor.section, self.cursor.group, self.cursor.last_action = section, None, None

    def _new_group(self, text: str, sub, any_sub) -> None:
        group = ImportedGroup(heading=text)
        section = self.cursor.section
        if sub and sub[2] >= SUBTHEME_SURE:
            group.subtheme = sub[1]["id"]
        elif any_sub and any_sub[2] >= SUBTHEME_SURE and any_sub[0]["id"] != section.theme:
            group.theme, group.subtheme = any_sub[0]["id"], any_sub[1]["id"]
        elif any_sub and any_sub[2] >= 0.6:
            group.comments.append(f"REVIEW: closest national sub-heading is '{any_sub[1]['title']}'. If this is the "
                                  f"same, add `subtheme: {any_sub[1]['id']}`"
                                  + ("" if any_sub[0]["id"] == section.theme else f" and `theme: {any_sub[0]['id']}`")
                                  + ".")
        section.groups.append(group)
        self.cursor.group, self.cursor.last_action = group, None
