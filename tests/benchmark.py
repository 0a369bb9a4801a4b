"""Benchmark the build at national scale, side by side with a baseline, in one run.

    python tests/benchmark.py [--areas 150] [--actions 80]

Generates a synthetic country (by default 150 areas x 80 actions = 12,000 actions, with
organisations shared across areas) in a temporary folder, then times, on the same machine
in the same run:

  baseline   a full build that renders every page (`python build.py --full`)
  no change  a rebuild with nothing changed
  one edit   a rebuild after one action's progress text changed in one area file

and prints pages rendered and seconds for each, plus the size of the largest theme and
organisation listing pages (what a phone has to download).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from concordat.pipeline import Project, build_site  # noqa: E402

THEMES = yaml.safe_load((ROOT / "content" / "themes.yaml").read_text(encoding="utf-8"))["themes"]
WORDS = ("crisis care mental health street triage place of safety section 136 police ambulance commissioning "
         "review protocol training carers service users recovery plan access liaison assessment support").split()


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def make_country(dest: Path, areas: int, actions: int, seed: int = 1) -> Project:
    rng = random.Random(seed)
    (dest / "content" / "areas").mkdir(parents=True)
    shutil.copytree(ROOT / "templates", dest / "templates")
    shutil.copy(ROOT / "content" / "themes.yaml", dest / "content")
    shutil.copy(ROOT / "content" / "site.yaml", dest / "content")
    orgs = [{"id": f"org-{i}", "name": f"Organisation {i}", "type": "nhs-trust"} for i in range(400)]
    orgs.append({"id": "nhs-england", "name": "NHS England", "type": "other"})
    (dest / "content" / "organisations.yaml").write_text(yaml.safe_dump({"organisations": orgs}), encoding="utf-8")
    per_theme = max(1, actions // len(THEMES))
    for a in range(areas):
        sections = []
        for t, theme in enumerate(THEMES, start=1):
            items = []
            for n in range(1, per_theme + 1):
                leads = sorted({f"org-{rng.randrange(400)}", "nhs-england" if rng.random() < 0.3 else "org-0"})
                items.append({
                    "id": f"{t}-{n}", "number": f"{t}.{n}", "action": sentence(rng, 18),
                    "outcomes": "- " + sentence(rng, 10) + "\n- " + sentence(rng, 8),
                    "leads": leads, "lead_text": " / ".join(leads).upper(), "timescale": "March 2016",
                    "due": "2016-03", "progress": sentence(rng, 40), "status": rng.choice(["not-rated", "complete"]),
                })
            subtheme = theme["subthemes"][0]["id"]
            sections.append({"heading": theme["title"], "theme": theme["id"],
                             "groups": [{"heading": "Local heading", "subtheme": subtheme, "actions": items}]})
        area = {"name": f"Area {a}", "slug": f"area-{a}", "source": {"title": f"Area {a} action plan"},
                "sections": sections, "glossary": [{"term": "CRHT", "meaning": "Crisis Resolution Home Treatment"}]}
        (dest / "content" / "areas" / f"area-{a}.yaml").write_text(
            yaml.safe_dump(area, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return Project(dest)


def timed(label: str, **kw) -> tuple[str, float, int]:
    started = time.perf_counter()
    result = build_site(**kw)
    return label, time.perf_counter() - started, result.rendered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--areas", type=int, default=150)
    parser.add_argument("--actions", type=int, default=80, help="actions per area")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = make_country(Path(tmp) / "country", args.areas, args.actions)
        print(f"Synthetic country: {args.areas} areas x {args.actions} actions", file=sys.stderr)
        rows = [timed("baseline: full build", project=project, full=True)]
        rows.append(timed("no change", project=project))
        area = project.content / "areas" / "area-7.yaml"
        text = area.read_text(encoding="utf-8")
        area.write_text(text.replace("progress: ", "progress: Updated. ", 1), encoding="utf-8")
        rows.append(timed("one edit (one action's progress)", project=project))
        rows.append(timed("baseline again: full build", project=project, full=True))
        print(f"{'run':36} {'seconds':>8} {'pages rendered':>15}")
        for label, seconds, rendered in rows:
            print(f"{label:36} {seconds:8.1f} {rendered:15d}")
        listings = [p for p in (project.output / "themes").rglob("index.html")]
        listings += [p for p in (project.output / "organisations").rglob("index.html")]
        largest = max(listings, key=lambda p: p.stat().st_size)
        print(f"largest listing page: {largest.relative_to(project.output)} "
              f"{largest.stat().st_size / 1024:.0f} KiB")
        pages = len(list(project.output.rglob("*.html")))
        size = sum(p.stat().st_size for p in project.output.rglob("*") if p.is_file())
        print(f"pages: {pages}; site size: {size / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
