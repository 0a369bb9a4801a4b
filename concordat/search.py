"""Stage 7, index: a Pagefind search index over the action pages, built by the Pagefind
binary that the `pagefind[bin]` Python package ships.

Only action pages are indexed (the glob), so every result is one action. Of each page only
what the action says is indexed (its `data-pagefind-body` parts: action, outcomes, lead as
written, progress, updates), so excerpts never show labels or page furniture; the result's
area, number, first words, status, lead and timescale are `data-pagefind-meta`, and
`data-pagefind-filter` elements give the area, theme, organisation and status filters.
`other_names()` gives the other ways of writing what an action mentions, indexed as metadata.

The binary runs as a command (`python -m pagefind`) rather than through the package's
service API: the service is stopped with SIGTERM as soon as it answers "files written",
while its last writes can still be in flight, which left empty or cut-short index files on
a slower machine. The command writes everything before it exits. Every file is then
checked, so a damaged index fails the build instead of being published.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cbor2

from . import processes

PAGEFIND = [sys.executable, "-m", "pagefind"]  # the binary that pagefind[bin] installs

# Pagefind's ready-made search interfaces: the site has its own (assets/search.js), so these
# are not published. pagefind.js, its worker and the WebAssembly files are what search needs.
UNUSED_BUNDLE_FILES = (
    "pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
    "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js",
)


# "s136", "s.136", "S 136" and "section 136" are the same section of the Mental Health Act.
_SECTION = re.compile(r"(?<![\w.])(?:s\.\s?|s|section\s+)(\d{1,3})(?:\(\d\))?(?!\w)", re.IGNORECASE)

# The punctuation Pagefind takes out of a word before indexing or searching it (Unicode dashes,
# brackets, quotes and other punctuation): "A&E" is the word "ae", "self-harm" is "selfharm".
_DROPPED = frozenset(("Pd", "Pe", "Pf", "Pi", "Po", "Ps"))

# A glossary meaning's last word that names the kind of service, not the thing: "Accident and
# Emergency department" is also called "accident and emergency". (The search page applies the
# same spellings, from `spellings`, to what a reader types.)
_KIND_OF_SERVICE = frozenset(("department", "departments", "team", "teams", "service", "services", "unit"))


def index_words(text: str) -> list[str]:
    """The words Pagefind indexes (and searches for) in `text`: lower case, without punctuation."""
    kept_chars = "".join(c for c in text.lower() if unicodedata.category(c) not in _DROPPED)
    return kept_chars.split()


def spellings(meaning: str) -> tuple[str, ...]:
    """The ways a glossary meaning is written out, as index words joined by spaces: the meaning
    without its asides in brackets, and without a last word such as "department"."""
    words = index_words(_without_asides(meaning))
    forms = [" ".join(words)]
    if len(words) > 2 and words[-1] in _KIND_OF_SERVICE:
        forms.append(" ".join(words[:-1]))
    return tuple(forms)


def other_names(texts: Iterable[str], leads: Iterable, glossaries: Iterable[tuple[str, Iterable]]) -> str:
    """Other ways of writing what an action mentions, for the index only, so that a search for
    one form finds the others: each lead organisation's full name and short names, the
    meaning of each glossary term the action uses (and the term, where it spells out the
    meaning or writes it another way: "A & E", "A+E", "A/E", "A and E" for "A&E"), and both forms of
    a section number ("s136", "section 136"). Names whose words the action already has, as
    Pagefind indexes them, are left out.

    `leads` are Organisations, `glossaries` (url, entries) pairs as in a page's context.
    """
    text = " ".join(t for t in texts if t)
    words = " " + " ".join(index_words(text)) + " "
    names: list[str] = []
    for org in leads:
        names += [org.name, *org.short_names]
    glossary = _glossary_matcher(tuple((url, tuple(entries)) for url, entries in glossaries))
    if glossary.terms is not None:
        for used in dict.fromkeys(glossary.terms.findall(text)):
            term = glossary.term_by_key[_term_key(used)]
            names += [glossary.meaning_of[term], term]
    for spelling, term in glossary.term_of.items():
        if f" {spelling} " in words:
            names += [term, glossary.meaning_of[term]]
    for number in _SECTION.findall(text):
        names += [f"s{number}", f"section {number}"]
    unused = (name for name in map(_without_asides, names)
              if name and f" {' '.join(index_words(name))} " not in words)
    return " · ".join(dict.fromkeys(unused))


def _without_asides(name: str) -> str:
    """A meaning's aside in brackets is for readers, not for finding."""
    return " ".join(re.sub(r"\s*\([^)]*\)", "", name).split())


def _term_key(written: str) -> str:
    """A glossary term as written in a plan, reduced so that "A & E", "A+E", "a and e" and "A&E"
    are one term: lower case, "and", "+" and "/" as "&", no spaces."""
    return re.sub(r"\s+", "", re.sub(r"\s+and\s+|[+/]", "&", written.lower()))


@dataclass(frozen=True)
class _Glossary:
    terms: re.Pattern | None  # finds the terms a text uses, however their "&" is written
    meaning_of: dict[str, str]  # term -> meaning
    term_of: dict[str, str]  # a spelling of a meaning (see `spellings`) -> term
    term_by_key: dict[str, str]  # _term_key(term) -> term


@lru_cache(maxsize=256)
def _glossary_matcher(glossaries: tuple) -> _Glossary:
    """A page's glossaries (its area's first, as on the page), made ready to match, once."""
    meaning_of: dict[str, str] = {}
    for _, entries in glossaries:
        for entry in entries:
            meaning_of.setdefault(entry.term, entry.meaning)
    # "Accident & Emergency" is indexed as "accident emergency": the "&" is punctuation.
    term_of = {form: term for term, meaning in reversed(meaning_of.items()) for spelling in spellings(meaning)
               for form in (spelling, spelling.replace(" and ", " "))}
    term_by_key = {_term_key(term): term for term in reversed(meaning_of)}
    if not meaning_of:
        return _Glossary(None, meaning_of, term_of, term_by_key)

    def written(term: str) -> str:  # "A&E" also as "A & E", "A+E", "A/E" or "A and E"
        parts = [re.escape(p) for p in term.split("&")]
        return r"\s*(?:&|\+|/|\s+and\s+)\s*".join(parts) if len(parts) == 2 and all(parts) else re.escape(term)

    alternatives = "|".join(written(t) for t in sorted(meaning_of, key=len, reverse=True))
    return _Glossary(re.compile(rf"(?<![\w&])((?:{alternatives}))(?=s?(?![\w&]))"), meaning_of, term_of, term_by_key)


def vocabulary(actions: Iterable, organisations: Iterable, glossary_meanings: Iterable[str]) -> bytes:
    """The words the search index holds, most used first, one a line: what the search page
    offers when a word is in no action ("polise": did you mean police?). Words of letters
    only, three or more of them; a plan's own typos (noted [sic]) are left out: a word of a
    [sic] note that the plans use nowhere else ("criris", not the "crisis" of other actions).

    `actions` are the site's Actions, `organisations` those that lead them (their names are
    indexed with the actions they lead)."""
    counts: Counter[str] = Counter()
    in_typos: Counter[str] = Counter()
    for action in actions:
        texts = (action.text, action.outcomes, action.lead_text, action.progress, *(u.text for u in action.updates))
        counts.update(_LETTERS.findall(" ".join(t for t in texts if t).lower()))
        in_typos.update(w for typo in action.sic for w in _LETTERS.findall(typo.lower()))
    typos = {w for w, n in in_typos.items() if counts[w] <= n}
    for org in organisations:
        counts.update(_LETTERS.findall(" ".join([org.name, *org.short_names]).lower()))
    for meaning in glossary_meanings:
        counts.update(_LETTERS.findall(_without_asides(meaning).lower()))
    words = sorted((w for w in counts if len(w) >= 3 and w not in typos), key=lambda w: (-counts[w], w))
    return ("\n".join(words) + "\n").encode("utf-8")


_LETTERS = re.compile(r"[^\W\d_]+")


class SearchIndexError(Exception):
    """Pagefind failed or wrote an index that cannot be read: nothing is published."""


def build_search_index(site_dir: Path, glob: str, output_subdir: str = "pagefind", background: bool = False) -> int:
    """Write site_dir/pagefind; return the number of pages Pagefind indexed."""
    return finish_search_index(start_search_index(site_dir, glob, output_subdir, background))


def start_search_index(site_dir: Path, glob: str, output_subdir: str = "pagefind",
                       background: bool = False) -> tuple | None:
    """Start Pagefind on the pages written so far; the build carries on beside it. It is killed
    if the build is (`processes`); `background` (the preview) runs it at low priority.

    A site with no actions yet (a new deployment) gets no index: Pagefind refuses to make
    an empty one, and the search page then says search is not available.
    """
    if not _any_file(site_dir, glob):
        return None
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
    command = [*PAGEFIND, "--site", ".", "--glob", glob,
               "--force-language", "en", "--output-subdir", output_subdir, "--silent"]
    # Run inside the site so a pagefind.yml in the editor's working folder cannot change it.
    process = processes.start_command(command, background, cwd=site_dir, env=env, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    return process, site_dir / output_subdir


def _any_file(site_dir: Path, glob: str) -> bool:
    """Whether the glob matches a file; it may hold one {a,b,...} group, as Pagefind's globs can."""
    head, brace, rest = glob.partition("{")
    if not brace:
        return next(site_dir.glob(glob), None) is not None
    options, _, tail = rest.partition("}")
    return any(next(site_dir.glob(head + option + tail), None) is not None for option in options.split(","))


def finish_search_index(started: tuple | None) -> int:
    """Wait for Pagefind, then check and tidy what it wrote; return the number of pages indexed."""
    if started is None:
        return 0
    process, bundle = started
    output = process.communicate()[0]
    if process.returncode != 0:
        output = output.strip()[-2000:]
        raise SearchIndexError(disk_full(bundle) or
                               f"Pagefind exited with code {process.returncode}: {output or 'no output'}")
    for name in UNUSED_BUNDLE_FILES:
        (bundle / name).unlink(missing_ok=True)
    page_count = check_index(bundle)
    try:
        make_index_reproducible(bundle)
    except (OSError, ValueError, KeyError, IndexError, TypeError, zlib.error, cbor2.CBORError) as exc:
        raise SearchIndexError(f"the search index in {bundle} is damaged: Pagefind wrote a file the build "
                               f"cannot read back ({type(exc).__name__}: {exc})") from exc
    return page_count


def check_index(bundle: Path) -> int:
    """Read back every file of the index; return its page count, or raise SearchIndexError."""
    path = bundle / "pagefind-entry.json"
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
        pages = sum(int(info["page_count"]) for info in entry["languages"].values())
        for path in sorted(bundle.rglob("*")):
            if path.suffix.startswith(".pf_") or path.name.startswith("wasm."):
                gzip.decompress(path.read_bytes())  # the gzip trailer's CRC and length catch a short file
        path = bundle / "pagefind.js"
        if not path.stat().st_size:
            raise ValueError("empty file")
    except (OSError, ValueError, KeyError, TypeError, AttributeError, EOFError, zlib.error) as exc:
        raise SearchIndexError(disk_full(bundle) or f"the search index file {path} is damaged ({exc})") from exc
    return pages


LOW_DISK_BYTES = 8 * 1024 * 1024  # less than Pagefind needs for a few hundred pages


def disk_full(folder: Path) -> str | None:
    """Pagefind carries on when the disk fills up and leaves files cut short: say so, rather than
    that the index is damaged."""
    try:
        free = shutil.disk_usage(folder.parent).free
    except OSError:
        return None
    if free >= LOW_DISK_BYTES:
        return None
    return f"the search index could not be written: the disk is full ({free // 1024} KiB free)"


# --- Making Pagefind's output reproducible -------------------------------------------------
# Pagefind writes each filter's values in hash-map order, which changes from run to run, and
# names files by their content. Rewrite the filter files with values in sorted order, and the
# metadata file that names them, so the same site always gives the same index files.

_MAGIC = b"pagefind_dcd"


def _read(path: Path):
    """A Pagefind metadata or filter file: gzip, a magic prefix, then one CBOR value."""
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_MAGIC):
        raise ValueError(f"{path} is not a Pagefind file")
    return cbor2.loads(data[len(_MAGIC):])


def _write(folder: Path, prefix: str, suffix: str, value, digits: int) -> str:
    data = gzip.compress(_MAGIC + cbor2.dumps(value), mtime=0)
    name = prefix + hashlib.sha256(data).hexdigest()[:digits]
    (folder / f"{name}{suffix}").write_bytes(data)
    return name


def make_index_reproducible(bundle: Path) -> None:
    """Rewrite filter and metadata files of a Pagefind bundle in a stable order."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry["languages"].items():
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(meta_path)
        filters = []
        for name, old_hash in meta[3]:
            old = bundle / "filter" / f"{old_hash}.pf_filter"
            filter_name, values = _read(old)
            values = sorted([value, sorted(pages)] for value, pages in values)
            old.unlink()
            filters.append([name, _write(bundle / "filter", f"{language}_", ".pf_filter", [filter_name, values], 7)])
        meta[3] = sorted(filters)
        meta_path.unlink()
        info["hash"] = _write(bundle, f"pagefind.{language}_", ".pf_meta", meta, 10).removeprefix("pagefind.")
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
