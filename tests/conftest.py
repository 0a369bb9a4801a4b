"""Shared fixtures: the real site built once per session, and small throwaway projects."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
sys.path.insert(0, str(ROOT))

from concordat import render, search  # noqa: E402
from concordat.pipeline import Project, build_site  # noqa: E402

from .compiled_templates import CompiledTemplates, cached  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def templates_compiled_once():
    """Jinja compiles each template once a session, not once a build (tests/compiled_templates.py)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render, "make_environment", cached(render.make_environment, CompiledTemplates()))
        yield


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under `-n` (pytest-xdist, `--dist loadgroup`) the browser tests run in one worker, sharing one
    Chromium and one served site, as they do without it."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("browser"))


def make_project(dest: Path, area_text: str | None = None) -> Project:
    """A minimal project: the real templates, themes and site settings, one example area."""
    (dest / "content" / "areas").mkdir(parents=True)
    shutil.copytree(ROOT / "templates", dest / "templates")
    shutil.copy(ROOT / "content" / "themes.yaml", dest / "content" / "themes.yaml")
    shutil.copy(ROOT / "content" / "site.yaml", dest / "content" / "site.yaml")
    shutil.copy(FIXTURES / "organisations.yaml", dest / "content" / "organisations.yaml")
    text = area_text if area_text is not None else (FIXTURES / "example-area.yaml").read_text(encoding="utf-8")
    (dest / "content" / "areas" / "exampleshire.yaml").write_text(text, encoding="utf-8")
    return Project(dest)


@pytest.fixture
def stand_in_pagefind(monkeypatch) -> None:
    """Builds write a stand-in search index (tests/stand_in_pagefind.py), for tests in which
    the index is not what they test: it is equal between two builds exactly when Pagefind's
    would be."""
    stand_in = Path(__file__).parent / "stand_in_pagefind.py"
    monkeypatch.setattr(search.indexing, "PAGEFIND", [sys.executable, str(stand_in)])


@pytest.fixture
def example_project(tmp_path) -> Project:
    return make_project(tmp_path / "project")


@pytest.fixture(scope="session")
def built_example(tmp_path_factory):
    """The example project built once a session with the default options: (project, result).
    For tests that only read what the build wrote; a test that edits or rebuilds makes its own."""
    project = make_project(tmp_path_factory.mktemp("example") / "project")
    return project, build_site(project)


@pytest.fixture(scope="session")
def real_project() -> Project:
    return Project(ROOT)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, real_project) -> Path:
    """The real content built once into a temporary folder (site/ is left alone)."""
    out = tmp_path_factory.mktemp("built") / "site"
    build_site(real_project, out_dir=out)
    return out


SUBPATH = "/concordat/"
LISTING_PAGE_SIZE_UNDER_TEST = 2
INDEX_SHARD_SIZE_UNDER_TEST = 100  # the real plans' 233 actions then make three search indexes


@pytest.fixture(scope="session")
def served_site(tmp_path_factory, real_project):
    """The real site built for a sub-path (as under the national website) and served on 127.0.0.1.

    Yields (base URL including the sub-path, folder of the built site).
    """
    from .browser import serve_folder

    root = tmp_path_factory.mktemp("served")
    out = root / SUBPATH.strip("/")
    # Listings of at most 2 actions a page, and search indexes of at most 100 action pages: the
    # real plans then have paginated theme and organisation pages and a search split over
    # several indexes, as a national site has, so every browser check covers both.
    build_site(real_project, out_dir=out, base_url=SUBPATH, listing_page_size=LISTING_PAGE_SIZE_UNDER_TEST,
               index_shard_size=INDEX_SHARD_SIZE_UNDER_TEST)
    with serve_folder(root) as origin:
        yield origin + SUBPATH, out


@pytest.fixture(scope="session")
def served_site_one_index(tmp_path_factory, real_project):
    """The real site as it is published (its 233 actions in one search index), served as above.

    For ranking: each index scores its own pages, so indexes of a few dozen actions would rank
    unlike a national site's, whose indexes hold thousands each."""
    from .browser import serve_folder

    root = tmp_path_factory.mktemp("served-one-index")
    out = root / SUBPATH.strip("/")
    build_site(real_project, out_dir=out, base_url=SUBPATH)
    with serve_folder(root) as origin:
        yield origin + SUBPATH, out


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    from .browser import CHROMIUM, CHROMIUM_ARGS, require_chromium

    require_chromium()
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()
