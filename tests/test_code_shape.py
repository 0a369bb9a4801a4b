"""The code's shape: rules a reviewer would otherwise check by hand."""

from __future__ import annotations

import ast

from .conftest import ROOT


def imports_within_the_package() -> dict[str, set[str]]:
    """Each module of concordat/ -> the modules of concordat/ it imports, also inside functions."""
    modules = {path.stem: path for path in (ROOT / "concordat").glob("*.py")}
    graph = {}
    for name, path in modules.items():
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                imported |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
        graph[name] = imported & set(modules) - {name}
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
