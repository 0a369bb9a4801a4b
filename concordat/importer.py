"""Turn a local plan's Word or Excel tables into an area file an editor can review.

Most plans follow the national template (No., Action, Timescale, Led by, Outcomes, Summary
progress, RAG), but many areas used their own columns, so columns are recognised by the words of
their header cells. Headings become sections and groups, mapped to the national themes only
where the words match closely; anything the importer is unsure of becomes a `REVIEW` comment in
the written file and a line in the report. Statuses come from the RAG cell's shading (read with
the plan's own RAG key when it has one) or its words, and are never guessed: blue means
complete only where the plan's key says so. Each status read from the plan carries `rag`, what
the cell showed ("green (#00B050)", "blue (#0070C0), key: Completed" or its words), so a reader
and `check` can see where it came from.
"""

from __future__ import annotations

import colorsys
import difflib
import re
from collections import Counter
from dataclasses import dataclass, field

from .model import STATUS_LABELS
from .plan_files import Block, Cell, Paragraph, Row, Table

STATUSES = tuple(STATUS_LABELS)
ACTION_FIELDS = ("number", "action", "outcomes", "lead_text", "timescale", "progress", "status")
THEME_SURE = 0.8
SUBTHEME_SURE = 0.8

# Header words for each field, tried in this order; the first field whose words a header cell contains wins.
COLUMN_WORDS: list[tuple[str, str]] = [
    ("number", r"^(no|no\.|number|num|ref|ref\.|ref no|#|item|action no|action number)$"),
    ("status", r"\brag\b|red/amber/green|\bstatus\b|\brating\b"),
    ("progress", r"\bprogress\b|\bupdate\b|current position|\bcomments?\b"),
    ("timescale", r"\btime-?scales?\b|\btime scales?\b|completed by|\bdeadline\b|by when|\bdate\b|\bwhen\b"),
    ("lead_text", r"\bled\b|\bleads?\b|responsib|\bowners?\b|\bwho\b"),
    ("outcomes", r"\boutcomes?\b"),
    ("action", r"\bactions?\b|\bdeliverables?\b|\bwhat\b"),
]
KPI_WORDS = [("number", r"^(no|no\.|number|#)$"), ("baseline", r"\bbaseline\b"), ("target", r"\btargets?\b"),
             ("measure", r"\bkpis?\b|\bmeasures?\b|\bindicators?\b")]
GLOSSARY_WORDS = [("term", r"\babbreviations?\b|\bterms?\b|\bacronyms?\b"),
                  ("meaning", r"\bmeanings?\b|\bdefinitions?\b|stands for|\bdescriptions?\b|\bfull name\b")]

# Words in a RAG cell (or a RAG key) and the status they give, first match wins.
STATUS_WORDS: list[tuple[str, str]] = [
    (r"\bnot (yet|started|on track|achieved|met)\b|\boff track\b|\boverdue\b|\bbehind\b", "red"),
    (r"\bat risk\b|\bin (progress|the process)\b|\bdelayed\b|\bslippage\b|\bpartly\b|\bpartially\b", "amber"),
    (r"\bcomplete(d)?\b|\bachieved\b|\bdone\b|\bclosed\b", "complete"),
    (r"\bon (track|target)\b", "green"),
    (r"^\W*(r|red)\W*$|\bred\b", "red"),
    (r"^\W*(a|amber)\W*$|\bamber\b", "amber"),
    (r"^\W*(g|green)\W*$|\bgreen\b", "green"),
]
SECTION_NUMBER = re.compile(r"^\s*(\d{1,2})(\.|\)|\s)\s*(?!\d)\S")
ACTION_NUMBER = re.compile(
    r"^\s*(?P<number>\d{1,2}(?:\.\d{1,3})+[a-z]?(?:\s*[–-]\s*\d{1,2}(?:\.\d{1,3})+[a-z]?)?)\.?\s+(?P<rest>\S[\s\S]*)$")
GLOSSARY_LINE = re.compile(r"^(?P<term>[A-Za-z0-9&/().’'-]{1,20}(?: [A-Za-z0-9&]{1,12}){0,2})\s*(?:–|—|-|:|=)\s+"
                           r"(?P<meaning>\S.*)$")
PERSON = re.compile(r"^(?:(?:Dr|Mr|Mrs|Ms|Miss|Prof)\.? )?[A-Z][a-z’'-]+(?: [A-Z][a-z’'-]+){1,2}$")
NOT_A_PERSON = re.compile(r"\b(Board|Group|Team|Council|Service|Services|Trust|Partnership|Forum|Police|Health|"
                          r"Care|Commissioner|Commissioning|Agencies|Providers|Sector|Steering|Network|Unit|"
                          r"Department|Directorate|Authority|Hospital|Lead|Leads|Manager|Chair|All)\b")


# ---------------------------------------------------------------- what the import produces


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
class ImportReport:
    """What the editor needs to check, line by line, with the table and row of each."""

    colours: list[str] = field(default_factory=list)
    not_placed: list[str] = field(default_factory=list)
    joined: list[str] = field(default_factory=list)
    status_sources: Counter = field(default_factory=Counter)
    unmatched_leads: dict[str, list[str]] = field(default_factory=dict)
    lead_notes: list[str] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)

    def summary(self, plan: ImportedPlan, organisations: dict[str, dict]) -> list[str]:
        actions = plan.actions()
        statuses = Counter(a.status for a in actions)
        led = [a for a in actions if a.leads]
        headed = sum(1 for s in plan.sections for g in s.groups if g.heading)
        lines = [
            f"  sections: {len(plan.sections)}, sub-headings: {headed}, actions: {len(actions)}"
            + (f" ({len(plan.preamble)} before the first theme)" if plan.preamble else ""),
            "  statuses: " + ", ".join(f"{s} {statuses.get(s, 0)}" for s in STATUSES)
            + f" (from shading {self.status_sources['shading']}, from words {self.status_sources['words']})",
            f"  leads: {len(led)} of {len(actions)} actions matched to content/organisations.yaml, "
            f"{len({i for a in actions for i in a.leads})} organisations; "
            f"{len(self.unmatched_leads)} names not matched",
            f"  KPIs: {len(plan.kpis)}, glossary entries: {len(plan.glossary)}, notes: {len(plan.notes)}",
        ]
        if self.skipped:
            lines.append("  skipped: " + ", ".join(f"{n} {what}" for what, n in sorted(self.skipped.items())))
        if self.colours:
            lines += ["Colours found in RAG cells:"] + [f"  {c}" for c in self.colours]
        if self.joined:
            lines += ["Joined or copied (check these):"] + [f"  {c}" for c in self.joined]
        if self.lead_notes:
            lines += ["Leads matched indirectly (check these):"] + [f"  {c}" for c in self.lead_notes]
        if self.unmatched_leads:
            names = {o["name"]: i for i, o in organisations.items()}
            names.update({s: i for i, o in organisations.items() for s in o.get("short_names", [])})
            lines.append("Lead names not matched to an organisation "
                         "(add them to content/organisations.yaml if they are one):")
            for text, places in self.unmatched_leads.items():
                near = difflib.get_close_matches(text, list(names), n=3, cutoff=0.5)
                hint = "; nearest: " + ", ".join(f"{n} ({names[n]})" for n in near) if near else ""
                more = f" and {len(places) - 3} more" if len(places) > 3 else ""
                lines.append(f"  '{text}' ({', '.join(places[:3])}{more}){hint}")
        if self.not_placed:
            lines += ["Not placed in the file (check these against the plan):"] + [f"  {c}" for c in self.not_placed]
        return lines


# ---------------------------------------------------------------- colours and words


def hue_name(rgb: str | None) -> str | None:
    """red, amber, green or blue for a clearly coloured fill, else None."""
    if not rgb:
        return None
    r, g, b = (int(rgb[i:i + 2], 16) / 255 for i in (0, 2, 4))
    h, s, v = colorsys.rgb_to_hsv(r, g, b)
    h *= 360
    if s < 0.12 or v < 0.3:
        return None
    if h >= 335 or h < 15:
        return "red"
    if 15 <= h < 66:
        return "amber"
    if 66 <= h < 170:
        return "green"
    if 190 <= h < 250 and s >= 0.35:
        return "blue"
    return None


def hue_status(rgb: str | None) -> str | None:
    """The status a fill gives without a key: red, amber or green. Blue is not read as complete
    here: some plans use it for complete (BRAG), others for something else, so only the plan's
    own key can say."""
    name = hue_name(rgb)
    return name if name in ("red", "amber", "green") else None


def words_status(text: str) -> str | None:
    text = text.strip().lower()
    if not text:
        return None
    for pattern, status in STATUS_WORDS:
        if re.search(pattern, text):
            return status
    return None


@dataclass
class RagKey:
    """The plan's own key of colours (a RAG legend), used before the usual hues."""

    entries: list[tuple[str, str | None, str]] = field(default_factory=list)  # (RRGGBB, status, words)

    def read(self, rgb: str | None) -> tuple[str | None, str, str]:
        """(status or None, how it was read for the report, the plan's key words used or "")."""
        if not rgb:
            return None, "", ""
        if self.entries:
            def distance(entry):
                return sum((int(rgb[i:i + 2], 16) - int(entry[0][i:i + 2], 16)) ** 2 for i in (0, 2, 4)) ** 0.5
            nearest = min(self.entries, key=distance)
            if distance(nearest) <= 90:
                if nearest[1] is None:
                    return None, f"the plan's RAG key says '{nearest[2]}', which is no status", ""
                return nearest[1], f"the plan's RAG key: '{nearest[2]}'", nearest[2]
        status = hue_status(rgb)
        if status:
            return status, "", ""
        if hue_name(rgb) == "blue":
            return None, ("blue, which only the plan's RAG key could make complete, and "
                          + ("its key has no blue" if self.entries else "the plan has no RAG key")), ""
        return None, "not a RAG colour", ""


def rag_shown(rgb: str | None, key_words: str, words: str, place: str = "") -> str:
    """What a RAG cell showed, for an action's `rag`: its colour by name and code, the key's words
    for that colour, and any words in the cell, exactly as they are."""
    parts = []
    if rgb:
        parts.append(f"{hue_name(rgb) or 'colour'} (#{rgb})" + (f" {place}" if place else ""))
    if key_words:
        parts.append(f"key: {key_words}")
    if words:
        parts.append(f"words: {words}")
    return ", ".join(parts)


_RAG_FORM = re.compile(r"(?:(?P<hue>red|amber|green|blue|colour) \(#[0-9A-Fa-f]{6}\)"
                       r"(?: on the number cell| across the row)?(?:, key: (?P<key>.+?))?(?:, words: (?P<words>.+))?"
                       r"|words: (?P<only>.+))", re.DOTALL)


def rag_problem(rag: str, status: str) -> str | None:
    """Why `rag` is not what `rag_shown` could have written for an action of this status, or None.

    `rag` says what the plan's RAG cell showed; only the importer reads that cell, so a value in
    any other form, or one that gives another status, was typed by hand."""
    form = _RAG_FORM.fullmatch(rag)
    if not form:
        return "is not in the form `python build.py import` writes"
    hue, key, words = form["hue"], form["key"], form["words"] or form["only"]
    could_be = {words_status(words)} if words else set()
    if key:
        could_be.add(words_status(key) or hue_status(_HUES.get(hue)))
    elif hue:
        could_be.add(hue_status(_HUES.get(hue)))
    if status not in could_be:
        return f"does not give the status '{status}'"
    return None


_HUES = {"red": "FF0000", "amber": "FFC000", "green": "00B050"}  # a fill of each hue, to read it back


# ---------------------------------------------------------------- themes


def _norm(text: str) -> str:
    text = text.lower().replace("&", " and ").replace("’", "'")
    text = re.sub(r"^\s*\d{1,2}[.)]?\s+", "", text)
    return " ".join(re.findall(r"[a-z0-9']+", text))


def _likeness(a: str, b: str) -> float:
    a, b = _norm(a), _norm(b)
    if not a or not b:
        return 0.0
    score = difflib.SequenceMatcher(None, a, b).ratio()
    if (a in b or b in a) and min(len(a), len(b)) / max(len(a), len(b)) > 0.6:
        score = max(score, 0.9)
    return score


@dataclass
class Themes:
    themes: list[dict]

    def best_theme(self, heading: str) -> tuple[dict, float]:
        return max(((t, _likeness(heading, t["title"])) for t in self.themes), key=lambda p: p[1])

    def best_subtheme(self, heading: str, theme_id: str | None = None) -> tuple[dict, dict, float] | None:
        pairs = [(t, s) for t in self.themes for s in t["subthemes"] if theme_id in (None, t["id"])]
        if not pairs:
            return None
        return max(((t, s, _likeness(heading, s["title"])) for t, s in pairs), key=lambda p: p[2])

    def by_number(self, number: int) -> dict | None:
        return next((t for t in self.themes if t.get("number") == number), None)


# ---------------------------------------------------------------- leads


class LeadMatcher:
    """Finds registry organisations in a plan's lead text, keeping the text as written.

    Besides names and abbreviations it reads "Nottingham City and County CCGs" as two names,
    a bare "CCG" as the area's own CCG when the area has exactly one, and a person the plan
    names with their organisation elsewhere (Milton Keynes lists people, not organisations).
    Every indirect match is listed in the report for the editor to confirm.
    """

    def __init__(self, organisations: dict[str, dict], area_name: str):
        self.names: dict[str, str] = {}
        written: dict[str, str] = {}
        for org_id, org in organisations.items():
            for name in [org["name"], *org.get("short_names", [])]:
                self.names.setdefault(name.lower(), org_id)
                written.setdefault(name, org_id)
        # Abbreviations in capitals match only in capitals ("MC" is Medway Council, "mc" is not).
        self.patterns = [
            (re.compile(r"(?<![\w])" + re.escape(name) + r"(?![\w])", 0 if name.isupper() else re.IGNORECASE), org_id)
            for name, org_id in sorted(written.items(), key=lambda p: -len(p[0]))]
        area = area_name.lower()
        ccgs = [i for i, o in organisations.items()
                if o.get("type") == "clinical-commissioning-group" and area and area in o["name"].lower()]
        self.area_ccg = ccgs[0] if len(ccgs) == 1 else None
        self.people: dict[str, list[str]] = {}
        self.run_by = {i: o["run_by"] for i, o in organisations.items() if o.get("run_by")}
        self.types = {i: o.get("type") for i, o in organisations.items()}
        self.prefixes = _name_prefixes(organisations)
        # A type named alone ("Police"): the area's one organisation of that type, by name, until
        # learn_named finds the one the plan itself names.
        self.by_type: dict[str, tuple[str, str]] = {}
        for kind in TYPE_ONLY:
            of_area = [i for i, o in organisations.items()
                       if o.get("type") == kind and area and area in o["name"].lower()]
            if len(of_area) == 1:
                self.by_type[kind] = (of_area[0], "the area's only one by name")

    def direct(self, text: str) -> tuple[list[tuple[int, str]], list[tuple[int, int]]]:
        found, taken = [], []
        for pattern, org_id in self.patterns:
            for m in pattern.finditer(text):
                if any(m.start() < end and start < m.end() for start, end in taken):
                    continue
                taken.append((m.start(), m.end()))
                found.append((m.start(), org_id))
        return found, taken

    def learn_named(self, lead_texts: list[str]) -> None:
        """Remember, for each type a lead may name alone, the one organisation of it the plan names."""
        named: dict[str, set[str]] = {}
        for text in lead_texts:
            found, taken = self.direct(text)
            ids = [o for _, o in found] + [o for _, _, o, _ in self._indirect_spans(text, taken, types=False)]
            for org_id in ids:
                named.setdefault(self.types.get(org_id), set()).add(org_id)
        for kind in TYPE_ONLY:
            if len(named.get(kind, ())) == 1:
                self.by_type[kind] = (next(iter(named[kind])), "the only one named elsewhere in the plan")
            elif len(named.get(kind, ())) > 1:
                self.by_type.pop(kind, None)  # several named: which one is meant only the editor knows

    def _indirect_spans(self, text: str, taken: list[tuple[int, int]], types: bool = True):
        """(start, end, organisation id, note) for the start of a name ("South East Coast Ambulance")
        and a type named alone ("the police"), where no name was found."""
        spans = list(taken)

        def free(m) -> bool:
            return not any(m.start() < end and start < m.end() for start, end in spans)

        for pattern, org_id in self.prefixes:
            for m in pattern.finditer(text):
                if free(m):
                    spans.append(m.span())
                    yield m.start(), m.end(), org_id, f"'{m.group()}' read as {org_id} (the start of its name)"
        for kind, pattern in TYPE_ONLY.items() if types else ():
            if kind not in self.by_type:
                continue
            org_id, why = self.by_type[kind]
            for m in pattern.finditer(text):
                if free(m):
                    spans.append(m.span())
                    yield m.start(), m.end(), org_id, f"'{m.group()}' read as {org_id} ({why})"

    def learn_people(self, lead_texts: list[str]) -> None:
        """Remember who works where from blocks like "Tracey Chapman / Senior Commissioner / MKC/CCG"."""
        for text in lead_texts:
            for block in re.split(r"\n\s*\n", text):
                lines = [ln.strip() for ln in block.split("\n") if ln.strip()]
                if (len(lines) < 2 or not PERSON.match(lines[0]) or NOT_A_PERSON.search(lines[0])
                        or self.direct(lines[0])[0]):
                    continue
                orgs = [o for _, o in sorted(self._all(("\n".join(lines[1:])), people=False)[0])]
                if orgs:
                    self.people.setdefault(lines[0], list(dict.fromkeys(orgs)))

    def match(self, text: str) -> tuple[list[str], list[str], list[str]]:
        """(organisation ids in order of mention, names not matched, notes on indirect matches)."""
        found, notes = self._all(text, people=True)
        ids = []
        for org_id in dict.fromkeys(o for _, o in sorted(found)):
            if org_id not in ids:
                ids.append(org_id)
            trust = self.run_by.get(org_id)
            if trust and trust not in ids and trust not in {o for _, o in found}:
                ids.append(trust)  # a hospital's page of actions is its trust's too, as `check` requires
                notes.append(f"'{org_id}' is a hospital run by {trust}: {trust} added")
        return ids, self._unmatched(text), notes

    def _all(self, text: str, people: bool) -> tuple[list[tuple[int, str]], list[str]]:
        found, taken = self.direct(text)
        notes: list[str] = []
        known = {o for _, o in found}
        for start, end, org_id, note in list(self._indirect_spans(text, taken)):
            taken.append((start, end))
            if org_id not in known:
                found.append((start, org_id))
                known.add(org_id)
                notes.append(note)
        for position, org_id, phrase in self._coordinated(text):
            if org_id not in known:
                found.append((position, org_id))
                known.add(org_id)
                notes.append(f"'{phrase}' read as {org_id}")
        if self.area_ccg:
            for m in re.finditer(r"(?<![\w])CCG(?![\w])", text):
                if not any(s <= m.start() < e for s, e in taken) and self.area_ccg not in known:
                    found.append((m.start(), self.area_ccg))
                    known.add(self.area_ccg)
                    notes.append(f"'CCG' read as the area's CCG, {self.area_ccg}")
        if people:
            for person, orgs in self.people.items():
                for m in re.finditer(re.escape(person), text):
                    new = [o for o in orgs if o not in known]
                    if new:
                        found += [(m.start() + k / 100, o) for k, o in enumerate(new)]
                        known.update(new)
                        notes.append(f"'{person}' read as {', '.join(new)} (named with them elsewhere in the plan)")
        return found, notes

    def _coordinated(self, text: str):
        """"A and B CCGs" names "A CCG" and "B CCG"."""
        word = r"[\w’'-]+"
        for m in re.finditer(r"\s(?:and|&)\s", text):
            before = [(w.start(), w.group()) for w in re.finditer(word, text[:m.start()])][-3:]
            after = [w.group() for w in re.finditer(word, text[m.end():])][:6]
            for end in range(2, len(after) + 1):
                for tail_len in (1, 2):
                    if end - tail_len < 1:
                        continue
                    tail = [re.sub(r"^(CCG|Council)s$", r"\1", w) for w in after[end - tail_len:end]]
                    candidates = [(m.end(), " ".join(after[:end - tail_len] + tail))]
                    candidates += [(before[-k][0], " ".join([w for _, w in before[-k:]] + tail))
                                   for k in range(1, len(before) + 1)]
                    for position, phrase in candidates:
                        org_id = self.names.get(phrase.lower())
                        if org_id:
                            yield position, org_id, phrase

    def _unmatched(self, text: str) -> list[str]:
        _, taken = self.direct(text)
        taken += [(start, end) for start, end, _, _ in list(self._indirect_spans(text, taken))]
        masked = list(text)
        for start, end in taken:
            masked[start:end] = " " * (end - start)
        rest = "".join(masked)
        for person in self.people:
            rest = rest.replace(person, " ")
        if self.area_ccg:
            rest = re.sub(r"(?<![\w])CCG(?![\w])", " ", rest)
        parts = re.split(r"\n|/|,|;|\(|\)|\bWorking with:|\s(?:and|&)\s", rest)
        out = []
        for part in parts:
            part = part.strip(" .:-–")
            if re.search(r"[A-Za-z]{2}", part):
                out.append(" ".join(part.split()))
        return out


# Words for a type of organisation named alone in a lead ("Police", "the ambulance service").
TYPE_ONLY = {
    "police": re.compile(r"(?<![\w])(?:the )?police(?: force| service)?(?![\w])(?! and crime)", re.IGNORECASE),
    "ambulance-service": re.compile(r"(?<![\w])(?:the )?ambulance(?: service| trust)?(?![\w])", re.IGNORECASE),
    "mental-health-trust": re.compile(r"(?<![\w])(?:the )?mental health (?:trust|provider)(?![\w])", re.IGNORECASE),
}
# A name's start is read as the organisation only with a word that says it is one.
ORGANISATION_WORD = re.compile(r"\b(Ambulance|Police|Constabulary|Council|Trust|NHS|CCG|Hospitals?|Healthcare|"
                               r"Service|Services|Partnership|Commissioning|Fire)\b")
PREFIX_WORDS = 3  # the fewest words of a name's start that are read as the organisation


def _name_prefixes(organisations: dict[str, dict]) -> list[tuple[re.Pattern, str]]:
    """Patterns for the starts of organisations' names that only one organisation's name starts with."""
    names = {o["name"].lower(): i for i, o in organisations.items()}
    starts: dict[str, set[str]] = {}
    written: dict[str, str] = {}
    for org_id, org in organisations.items():
        words = org["name"].split()
        for n in range(PREFIX_WORDS, len(words)):
            start = " ".join(words[:n])
            starts.setdefault(start.lower(), set()).add(org_id)
            written.setdefault(start.lower(), start)
    chosen = [(written[k], next(iter(ids))) for k, ids in starts.items()
              if len(ids) == 1 and k not in names and ORGANISATION_WORD.search(written[k])]
    return [(re.compile(r"(?<![\w])" + re.escape(start) + r"(?![\w])", re.IGNORECASE), org_id)
            for start, org_id in sorted(chosen, key=lambda p: -len(p[0]))]


# ---------------------------------------------------------------- reading the plan


def _field_for(label: str, words: list[tuple[str, str]]) -> str | None:
    label = " ".join(label.lower().split())
    if not label or len(label) > 120:
        return None
    for name, pattern in words:
        if re.search(pattern, label):
            return name
    return None


def _header(row: Row, words: list[tuple[str, str]], required: set[str], minimum: int) -> dict[int, str] | None:
    """Column -> field when this row reads as a header row of that kind of table."""
    mapping: dict[int, str] = {}
    cells = [(c, cell) for c, cell in row.distinct() if cell.text.strip()]
    if not cells:
        return None
    for col, cell in cells:
        name = _field_for(cell.text, words)
        if name and name not in mapping.values():
            mapping[col] = name
    if len(mapping) < minimum or not required <= set(mapping.values()) or len(mapping) < 0.6 * len(cells):
        return None
    return mapping


@dataclass
class _Cursor:
    section: ImportedSection | None = None
    group: ImportedGroup | None = None
    last_action: ImportedAction | None = None
    columns: dict[int, str] | None = None
    width: int = 0
    seen_action: bool = False
    mode: str = ""  # "glossary" or "kpi" while reading paragraphs of those lists
    kpi_group: str | None = None


class PlanReader:
    def __init__(self, name: str, slug: str, themes: list[dict], organisations: dict[str, dict]):
        self.plan = ImportedPlan(name=name, slug=slug)
        self.report = ImportReport()
        self.themes = Themes(themes)
        self.leads = LeadMatcher(organisations, name)
        self.key = RagKey()
        self.cursor = _Cursor()
        self.legend_tables: set[int] = set()
        self.rag_cells = 0  # action rows with a cell in a RAG column

    # -- the whole document

    def read(self, blocks: list[Block]) -> ImportedPlan:
        self._find_rag_key(blocks)
        for index, block in enumerate(blocks):
            if isinstance(block, Paragraph):
                self._paragraph(block)
            elif index not in self.legend_tables:
                self._table(block)
        if not self.plan.actions():
            raise ValueError("no table has a header row with an Action column "
                             "(for example No. | Action | Timescale | Led by | Outcomes | Progress | RAG)")
        self._finish()
        return self.plan

    def _find_rag_key(self, blocks: list[Block]) -> None:
        for index, block in enumerate(blocks):
            if not isinstance(block, Table) or len(block.rows) > 8 or self._any_header(block):
                continue
            entries, lines = [], []
            for row in block.rows:
                texts = [c.text for _, c in row.distinct() if c.text.strip()]
                colours = [c.fill for _, c in row.distinct() if hue_name(c.fill)]
                words = " ".join(" ".join(texts).split())
                if len(texts) > 3 or len(words.split()) > 12:
                    entries = []
                    break  # long text: rows of actions, not a key of colours
                if colours and words:
                    status = words_status(words) or hue_status(colours[0])
                    entries.append((colours[0], status, words))
                if texts:
                    lines.append("\n".join(texts))
                    if not colours and not entries:
                        lines.append("")
            if len(entries) >= 2:
                self.key.entries += entries
                self.legend_tables.add(index)
                self.plan.notes.append({"heading": "RAG key", "text": "\n".join(lines).strip()})
                for colour, status, words in entries:
                    self.report.colours.append(f"{block.name} (RAG key): #{colour} '{words}' read as "
                                               + (status or "no status"))

    def _any_header(self, table: Table) -> bool:
        return any(_header(r, COLUMN_WORDS, {"action"}, 3) or _header(r, KPI_WORDS, {"measure"}, 2)
                   for r in table.rows[:5])

    # -- paragraphs outside tables

    def _paragraph(self, para: Paragraph) -> None:
        text = para.text.strip()
        where = f"paragraph {para.number}"
        if not text:
            return
        cursor = self.cursor
        lowered = text.lower()
        if re.search(r"\bglossary\b|\babbreviations\b", lowered) and len(text) < 80:
            cursor.mode = "glossary"
            return
        if cursor.mode == "glossary":
            if self._glossary_line(text, where):
                return
            cursor.mode = ""
        if cursor.seen_action and re.search(r"\bkpis?\b", lowered) and not para.list_item and cursor.mode != "kpi":
            cursor.mode, cursor.kpi_group = "kpi", None
            self.plan.kpi_intro = text
            return
        if cursor.mode == "kpi":
            if para.list_item or text.startswith("- "):
                self.plan.kpis.append({**({"group": cursor.kpi_group} if cursor.kpi_group else {}),
                                       "measure": re.sub(r"^(\s*- |\s*\d+\. )", "", text)})
                return
            if not self.plan.kpis and not para.heading_style:
                self.plan.kpi_intro = f"{self.plan.kpi_intro}\n{text}"
                return
            if len(text) < 60:
                cursor.kpi_group = text
                return
            cursor.mode = ""
        if self._heading(text, where, in_table=False, styled=para.heading_style):
            return
        self.report.not_placed.append(f"{where}: '{_short(text)}'")

    def _glossary_line(self, text: str, where: str) -> bool:
        done = True
        for line in text.split("\n"):
            m = GLOSSARY_LINE.match(line.strip())
            if not m or not re.search(r"[A-Z]", m.group("term")):
                done = done and not line.strip()
                continue
            self._add_term(m.group("term").strip(), m.group("meaning").strip(), where)
        return done

    def _add_term(self, term: str, meaning: str, where: str) -> None:
        if any(g["term"] == term for g in self.plan.glossary):
            self.report.not_placed.append(f"{where}: glossary term '{term}' given again ('{_short(meaning)}')")
            return
        self.plan.glossary.append({"term": term, "meaning": meaning})

    # -- headings

    def _heading(self, text: str, where: str, in_table: bool, styled: bool = False) -> bool:
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

    # -- tables

    def _table(self, table: Table) -> None:
        cursor = self.cursor
        cursor.mode = "" if cursor.mode == "kpi" else cursor.mode
        kind, header_at, mapping = self._table_kind(table)
        if kind == "glossary":
            return self._glossary_table(table, header_at, mapping)
        if kind == "kpi":
            return self._kpi_table(table, header_at, mapping)
        if kind == "actions":
            cursor.columns, cursor.width = mapping, table.width
        elif kind == "continued":
            self.report.joined.append(f"{table.name} has no header row: read with the columns of the table before it")
        for row in table.rows:
            where = f"{table.name} row {row.number}"
            texts = [(c, cell) for c, cell in row.distinct() if cell.text.strip()]
            if header_at is not None and row.number - 1 < header_at:
                self._loose_row(texts, where, in_table=True)
                continue
            if header_at is not None and row.number - 1 == header_at:
                continue
            if not texts:
                self.report.skipped["empty rows"] += 1
                continue
            if kind in ("actions", "continued"):
                self._action_row(row, texts, where)
            else:
                self._loose_row(texts, where, in_table=True)

    def _table_kind(self, table: Table) -> tuple[str, int | None, dict[int, str]]:
        for at, row in enumerate(table.rows[:6]):
            mapping = _header(row, COLUMN_WORDS, {"action"}, 3)
            if mapping:
                return "actions", at, mapping
            mapping = _header(row, KPI_WORDS, {"measure"}, 2)
            if mapping:
                return "kpi", at, mapping
            mapping = _header(row, GLOSSARY_WORDS, {"term", "meaning"}, 2)
            if mapping:
                return "glossary", at, mapping
        if self.cursor.mode == "glossary" and table.width == 2:
            return "glossary", None, {0: "term", 1: "meaning"}
        if self.cursor.columns and table.width == self.cursor.width and self._has_multi_cell_rows(table):
            return "continued", None, self.cursor.columns
        return "other", None, {}

    @staticmethod
    def _has_multi_cell_rows(table: Table) -> bool:
        return any(sum(1 for _, c in r.distinct() if c.text.strip()) >= 2 for r in table.rows)

    def _loose_row(self, texts: list[tuple[int, Cell]], where: str, in_table: bool) -> None:
        if len(texts) == 1 and self._heading(texts[0][1].text.strip(), where, in_table=in_table):
            return
        if texts:
            self.report.not_placed.append(f"{where}: '{_short(' | '.join(c.text for _, c in texts))}'")

    def _glossary_table(self, table: Table, header_at: int | None, mapping: dict[int, str]) -> None:
        for row in table.rows[(header_at + 1 if header_at is not None else 0):]:
            values = {mapping[c]: cell.text.strip() for c, cell in row.distinct() if c in mapping}
            if values.get("term") and values.get("meaning"):
                self._add_term(values["term"], values["meaning"], f"{table.name} row {row.number}")
            elif any(cell.text.strip() for _, cell in row.distinct()):
                self.report.not_placed.append(f"{table.name} row {row.number}: "
                                              f"'{_short(' | '.join(c.text for _, c in row.distinct()))}'")

    def _kpi_table(self, table: Table, header_at: int, mapping: dict[int, str]) -> None:
        measure_col = next(c for c, f in mapping.items() if f == "measure")
        if "number" not in mapping.values() and measure_col > 0:
            mapping = {**mapping, measure_col - 1: "number"}
        group = None
        for row in table.rows[header_at + 1:]:
            cells = [(c, cell) for c, cell in row.distinct() if cell.text.strip()]
            if not cells:
                continue
            if len(cells) == 1 and mapping.get(cells[0][0]) != "measure":
                group = cells[0][1].text.strip()
                continue
            values = {}
            for col, cell in cells:
                name = mapping.get(col)
                if name:
                    values[name] = cell.text.strip()
                else:
                    self.report.not_placed.append(f"{table.name} row {row.number}: '{_short(cell.text)}'")
            if "measure" not in values:
                self.report.not_placed.append(f"{table.name} row {row.number}: KPI row without a measure")
                continue
            kpi = {k: values[k] for k in ("number", "measure", "baseline", "target") if k in values}
            self.plan.kpis.append({**({"group": group} if group else {}), **kpi})

    # -- action rows

    def _action_row(self, row: Row, texts: list[tuple[int, Cell]], where: str) -> None:
        cursor = self.cursor
        columns = cursor.columns or {}
        if len(texts) >= 3 and all(columns.get(c) == _field_for(cell.text, COLUMN_WORDS) for c, cell in texts):
            self.report.skipped["repeated header rows"] += 1
            return
        values: dict[str, list[Cell]] = {}
        for col, cell in row.distinct():
            name = columns.get(col)
            if name is None:
                if cell.text.strip():
                    self.report.not_placed.append(f"{where}: cell in a column the importer does not know: "
                                                  f"'{_short(cell.text)}'")
                continue
            values.setdefault(name, []).append(cell)
        number_cell = (values.get("number") or [None])[0]
        has_number_column = "number" in columns.values()
        first_col = min(c for c, _ in row.distinct())
        if len(texts) == 1 and (texts[0][0] == first_col or self._spans(row, texts[0][1])):
            text = texts[0][1].text.strip()
            if not ACTION_NUMBER.match(text) and not re.fullmatch(r"[\d.]+", text):
                if self._heading(text, where, in_table=True):
                    return
        if has_number_column and (number_cell is None or not number_cell.text.strip()
                                  or number_cell.merged_from_above) and cursor.last_action is not None:
            return self._continue_action(cursor.last_action, values, where)
        action = ImportedAction(where=where)
        for name, cells in values.items():
            if name == "status":
                continue
            fresh = [c for c in cells if c.text.strip()]
            if fresh:
                action.fields[name] = "\n\n".join(c.text for c in fresh)
            copied = [c for c in fresh if c.merged_from_above]
            if copied:
                self.report.joined.append(f"{where}: {name} cell merged with the row above: its text is copied here")
        if not has_number_column and "action" in action.fields:
            m = ACTION_NUMBER.match(action.fields["action"])
            if m:
                action.fields["number"] = m.group("number")
                action.fields["action"] = m.group("rest").strip()
        if not action.fields.get("action"):
            self.report.not_placed.append(f"{where}: row with no action text: "
                                          f"'{_short(' | '.join(c.text for _, c in texts))}'")
            return
        self._status(action, values, row, where)
        self._place(action)

    @staticmethod
    def _spans(row: Row, cell: Cell) -> bool:
        return sum(1 for c in row.cells if c is cell) >= 2

    def _continue_action(self, action: ImportedAction, values: dict[str, list[Cell]], where: str) -> None:
        added = []
        for name, cells in values.items():
            fresh = [c.text for c in cells if c.text.strip() and not c.merged_from_above]
            if not fresh or name in ("number", "status"):
                continue
            text = "\n\n".join(fresh)
            action.fields[name] = f"{action.fields[name]}\n{text}" if action.fields.get(name) else text
            added.append(name)
        number = action.fields.get("number", "")
        self.report.joined.append(f"{where}: no number, so joined to the action above ({number or action.where}) as "
                                  f"a row split across pages ({', '.join(added) or 'nothing new'})")

    def _status(self, action: ImportedAction, values: dict[str, list[Cell]], row: Row, where: str) -> None:
        label = action.fields.get("number") or where
        rag_cells = values.get("status")
        if rag_cells:
            self.rag_cells += 1
            cell = rag_cells[0]
            fill, from_where, place = cell.fill, "RAG cell", ""
        else:  # no RAG column: a RAG colour on the number cell, or on the row's cells alike
            fills = [c.fill for _, c in row.distinct() if hue_status(c.fill)]
            number = (values.get("number") or [None])[0]
            on_number = number is not None and number.fill in fills
            fill = number.fill if on_number else (fills[0] if fills and len(set(fills)) == 1 else None)
            cell, from_where = None, "row shading"
            place = "on the number cell" if on_number else "across the row"
        by_colour, how, key_words = self.key.read(fill)
        words = cell.text.strip() if cell is not None else ""
        by_words = words_status(words) if words else None
        if fill:
            shown = f"{where} (action {label}): #{fill} in the {from_where}"
            self.report.colours.append(f"{shown} read as {by_colour}" + (f" ({how})" if how and by_colour else "")
                                       if by_colour else f"{shown}: {how}, status left to the words")
        if by_colour:
            action.status = by_colour
            action.rag = rag_shown(fill, key_words, words, place)
            self.report.status_sources["shading"] += 1
            if by_words and by_words != by_colour:
                self.report.not_placed.append(f"{where}: RAG cell says '{words}' but is shaded {by_colour}: "
                                              "the shading was used")
        elif by_words:
            action.status = by_words
            action.rag = rag_shown(fill, "", words)
            self.report.status_sources["words"] += 1
        if words and (not by_words or len(words.split()) > 4):
            self.report.not_placed.append(f"{where}: words in the RAG cell: '{_short(words)}'")

    def _place(self, action: ImportedAction) -> None:
        cursor = self.cursor
        cursor.seen_action = True
        cursor.last_action = action
        if cursor.section is None:
            self.plan.preamble.append(action)
            return
        if cursor.group is None:
            cursor.group = ImportedGroup()
            cursor.section.groups.append(cursor.group)
        cursor.group.actions.append(action)

    # -- after reading

    def _finish(self) -> None:
        plan = self.plan
        for section in plan.sections:
            if not section.groups:
                section.groups.append(ImportedGroup())
        actions = plan.actions()
        if self.rag_cells and all(a.status == "not-rated" for a in actions):
            plan.comments.append(
                f"REVIEW: the plan has a RAG column ({self.rag_cells} rows), but no status could be read from it: "
                "its colours may have been lost (an .xlsx saved without them, or colours set by conditional "
                "formatting). Compare the statuses with the printed plan; if its colours are lost, add "
                "`rag_column: colours-lost` under `source:`. Then delete this note.")
        self.leads.learn_named([a.fields.get("lead_text", "") for a in actions])
        self.leads.learn_people([a.fields.get("lead_text", "") for a in actions])
        for action in actions:
            ids, unmatched, notes = self.leads.match(action.fields.get("lead_text", ""))
            action.leads = ids
            label = action.fields.get("number") or action.where
            self.report.lead_notes += [f"{action.where} (action {label}): {n}" for n in notes]
            for name in unmatched:
                self.report.unmatched_leads.setdefault(name, []).append(action.where)
        self._assign_ids()

    def _assign_ids(self) -> None:
        plan = self.plan
        numbers = [_slug(a.fields.get("number", "")) for a in plan.actions()]
        numbered = [n for n in numbers if n]
        repeats = len(set(numbered)) != len(numbered)
        used: set[str] = set()

        def unique(candidate: str) -> str:
            base, k = candidate, 2
            while candidate in used:
                candidate, k = f"{base}-{k}", k + 1
            used.add(candidate)
            return candidate

        for k, action in enumerate(plan.preamble, start=1):
            action.id = unique(_slug(action.fields.get("number", "")) or f"preamble-{k}")
        position = 0
        for si, section in enumerate(plan.sections, start=1):
            lettered = len(section.groups) > 1 or section.groups[0].heading
            for gi, group in enumerate(section.groups):
                prefix = f"{si}{_letter(gi) if lettered else ''}"
                for k, action in enumerate(group.actions, start=1):
                    position += 1
                    number = _slug(action.fields.get("number", ""))
                    if number and not repeats:
                        action.id = unique(number)
                    elif number:
                        action.id = unique(f"{prefix}-{number}")
                    else:
                        action.id = unique(f"{prefix}-action-{k}")


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
