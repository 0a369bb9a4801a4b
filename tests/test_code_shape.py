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


def test_the_importer_is_small_modules_of_short_functions():
    """`concordat/importing/` is read by whoever has to fix an odd plan: each module one job (no
    more than 450 lines), each function short enough to read at once (no more than 60 lines)."""
    long = []
    for path in sorted((ROOT / "concordat" / "importing").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > 450:
            long.append(f"{path.name}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno - node.lineno >= 60:
                long.append(f"{path.name}: {node.name} is {node.end_lineno - node.lineno + 1} lines")
    assert long == []


def test_pyproject_lists_every_package_of_concordat():
    """pyproject names the packages by hand: one left out would install without its modules."""
    import tomllib

    listed = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "concordat").rglob("__init__.py")}
    assert sorted(listed) == sorted(found)
