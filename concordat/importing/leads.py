"""Which registry organisations a plan's lead text names, keeping the text as written.

Names and abbreviations match directly; the start of a name, a type named alone ("the police"),
"A and B CCGs", a bare "CCG" and a person named with their organisation elsewhere in the plan
match indirectly, and each indirect match is listed in the report for the editor to confirm.
"""

from __future__ import annotations

import re

PERSON = re.compile(r"^(?:(?:Dr|Mr|Mrs|Ms|Miss|Prof)\.? )?[A-Z][a-z’'-]+(?: [A-Z][a-z’'-]+){1,2}$")
NOT_A_PERSON = re.compile(r"\b(Board|Group|Team|Council|Service|Services|Trust|Partnership|Forum|Police|Health|"
                          r"Care|Commissioner|Commissioning|Agencies|Providers|Sector|Steering|Network|Unit|"
                          r"Department|Directorate|Authority|Hospital|Lead|Leads|Manager|Chair|All)\b")


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
