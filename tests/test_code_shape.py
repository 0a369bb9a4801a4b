"""The code's shape: rules a reviewer would otherwise check by hand."""

from __future__ import annotations

import ast
import re

from .conftest import ROOT


def imports_within_the_package() -> dict[str, set[str]]:
    """Each module of concordat (dotted: "history.changes") -> the package's modules it imports,
    also inside functions. A package's __init__ is the package's own name."""
    package = ROOT / "concordat"
    names = {}
    for path in package.rglob("*.py"):
        parts = path.relative_to(package).with_suffix("").parts
        names[path] = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    modules = set(names.values())
    graph = {}
    for path, name in names.items():
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        if name == "":
            here = []
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or node.level == 0:
                continue
            base = here[:len(here) - (node.level - 1)] + (node.module.split(".") if node.module else [])
            for alias in node.names:
                candidate = ".".join([*base, alias.name])
                imported.add(candidate if candidate in modules else ".".join(base))
        graph[name] = imported & modules - {name, ""}
    return graph


def test_no_module_imports_one_that_imports_it_back():
    """A cycle pulls the whole build into, say, the importer, and hides which module comes first."""
    graph = imports_within_the_package()
    assert "cli" in graph and "pipeline" in graph["cli"]  # the walk sees imports at all
    cycles = []

    def walk(name: str, path: list[str]) -> None:
        for imported in sorted(graph[name]):
            if imported == path[0]:
                cycles.append(" -> ".join([*path, imported]))
            elif imported not in path and imported > path[0]:  # each cycle once, from its first module
                walk(imported, [*path, imported])

    for start in sorted(graph):
        walk(start, [start])
    assert not cycles, cycles


def _count_words(owner, inputs):
    _count_words.calls += 1
    return len(owner.text.split()) * inputs


_count_words.calls = 0


def test_a_cached_result_is_keyed_by_everything_it_is_computed_from():
    """memo.derived: the same object and equal inputs give the kept result; other inputs or another
    object work it out again; a function that could read anything else (a closure) is refused."""
    import gc

    import pytest

    from concordat import memo

    class Owner:
        def __init__(self, text):
            self.text = text

    one, other = Owner("a b c"), Owner("a b")
    assert memo.derived(_count_words, one, 1) == 3 and memo.derived(_count_words, one, 1) == 3
    assert _count_words.calls == 1
    assert memo.derived(_count_words, one, 2) == 6 and memo.derived(_count_words, other, 2) == 4
    assert _count_words.calls == 3
    held = len(memo._RESULTS)
    del one
    gc.collect()
    assert len(memo._RESULTS) == held - 1  # an object's results go with it
    multiplier = 5
    with pytest.raises(TypeError, match="module-level function"):
        memo.derived(lambda owner, _: len(owner.text) * multiplier, other)
    with pytest.raises(TypeError, match="module-level function"):
        def closure(owner, _):
            return multiplier
        memo.derived(closure, other)


def test_the_readme_names_every_module_and_only_modules_that_exist():
    """README's "How the code is organised" is how a newcomer finds their way: it must match the tree."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How the code is organised", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(concordat/[\w/]+\.py)`", section))
    present = {p.relative_to(ROOT).as_posix() for p in (ROOT / "concordat").rglob("*.py")
               if p.name != "__init__.py" or p.parent.name != "concordat"}
    assert named - present == set(), "the README names modules that do not exist"
    assert present - named == set(), "modules the README does not name"


MODULE_LINES, FUNCTION_LINES = 450, 60


def test_every_module_and_function_is_small_enough_to_read_whole():
    """A module over 450 lines, or a function over 60, holds more than one job: whoever has to fix
    an odd plan or a wrong page reads each at once. Classes may be longer; each of their methods is
    held to the function limit."""
    too_long = []
    for path in sorted((ROOT / "concordat").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(ROOT).as_posix()
        if len(text.splitlines()) > MODULE_LINES:
            too_long.append(f"{name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                if length > FUNCTION_LINES:
                    too_long.append(f"{name}:{node.lineno} {node.name}(): {length} lines")
    assert not too_long, too_long


def test_the_installed_package_holds_every_module():
    """pyproject finds the packages under concordat/ rather than listing them by hand; setuptools'
    finder, given pyproject's own pattern, must find every folder of modules (a folder without an
    __init__.py would be left out of an installed copy)."""
    import tomllib

    from setuptools import find_packages

    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    found = set(find_packages(str(ROOT), include=setuptools["packages"]["find"]["include"]))
    folders = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "concordat").rglob("*.py")}
    assert folders - found == set(), "folders of modules an installed copy would leave out"
