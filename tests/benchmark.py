"""Benchmark the build at national scale, side by side with a baseline, in one run.

    python tests/benchmark.py [--areas 150] [--actions 80] [--against REV] [--repeat 1]

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
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from concordat.pipeline import Project  # noqa: E402

THEMES = yaml.safe_load((ROOT / "content" / "themes.yaml").read_text(encoding="utf-8"))["themes"]
WORDS = ("crisis care mental health street triage place of safety section 136 police ambulance commissioning "
         "review protocol training carers service users recovery plan access liaison assessment support").split()


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def make_country(dest: Path, areas: int, actions: int, code: Path = ROOT, seed: int = 1) -> Project:
    rng = random.Random(seed)
    (dest / "content" / "areas").mkdir(parents=True)
    shutil.copytree(code / "templates", dest / "templates")
    shutil.copy(code / "content" / "themes.yaml", dest / "content")
    shutil.copy(code / "content" / "site.yaml", dest / "content")
    orgs = [{"id": f"org-{i}", "name": f"Organisation {i}", "type": "nhs-trust"} for i in range(400)]
    orgs.append({"id": "nhs-england", "name": "NHS England", "type": "other"})
    orgs.append({"id": "org-0-hospital", "name": "Organisation 0 General Hospital", "type": "hospital",
                 "run_by": "org-0"})
    (dest / "content" / "organisations.yaml").write_text(yaml.safe_dump({"organisations": orgs}), encoding="utf-8")
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
                    **({"status_words": "Completed"} if status == "complete" else {}), "sic": ["March 2106"],
                })
            subtheme = theme["subthemes"][0]["id"]
            sections.append({"heading": theme["title"], "theme": theme["id"],
                             "groups": [{"heading": "Local heading", "subtheme": subtheme, "actions": items}]})
        area = {"name": f"Area {a}", "slug": f"area-{a}",
                "source": {"title": f"Area {a} action plan", "date_note": "Its latest dated entry is “March 2106”."},
                "kpi_headings": {"measure": "Proposed KPI"},
                "kpis": [{"number": "1.", "measure": sentence(rng, 8), "baseline": "TBC", "target": "TBC"}],
                "notes": [{"heading": "RAG ratings", "text": "Completed", "editor_note": "The colours were lost."}],
                "sections": sections, "glossary": [{"term": "CRHT", "meaning": "Crisis Resolution Home Treatment"}]}
        (dest / "content" / "areas" / f"area-{a}.yaml").write_text(
            yaml.safe_dump(area, sort_keys=False, allow_unicode=True), encoding="utf-8")
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
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(country, dest, symlinks=True)
    shutil.rmtree(dest / "templates")
    shutil.copytree(code / "templates", dest / "templates")
    # cwd is the copy, not this checkout: `python -c` puts the working folder first on sys.path.
    done = subprocess.run([sys.executable, "-c", RUNS, str(dest), str(code)], cwd=dest,
                          env={**os.environ, "PYTHONPATH": str(code)}, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"the runs with {code} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def export_revision(rev: str, dest: Path) -> None:
    """The code at `rev`, from git, without touching this working tree."""
    dest.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--areas", type=int, default=150)
    parser.add_argument("--actions", type=int, default=80, help="actions per area")
    parser.add_argument("--against", metavar="REV", help="also measure the code of this git revision")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each version, alternating")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        versions = {"this tree": ROOT}
        if args.against:
            export_revision(args.against, tmp / "baseline-code")
            versions = {args.against: tmp / "baseline-code", **versions}
        country = make_country(tmp / "country", args.areas, args.actions).root
        print(f"Synthetic country: {args.areas} areas x {args.actions} actions", file=sys.stderr)
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
        size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
        print(f"pages: {pages}; site size: {size / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
