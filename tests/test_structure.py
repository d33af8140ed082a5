"""The package's layers: imports point down, never in a loop.

Every import of the package by the package counts: at module level, inside
functions and under ``if TYPE_CHECKING`` (a loop of type-only imports is
still a loop in the design).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "flask_pyecharts"

#: From the bottom up; a module may import its own layer and the layers below.
LAYERS: list[set[str]] = [
    {
        "_json",
        "config",
        "locale",
        "nginx",
        "variables",
        "registry",
        "assets",
        "components",
        "sql",
        "streams.cursors",
        "wire.sse",
        "reports.layouts",
        "reports.numbers",
    },
    {
        "options",
        "regions",
        "streams.points",
        "streams.shapes",
        "streams.stores.base",
        "streams.stores.memory",
        "streams.stores.redis",
        "streams.stores.sqlite",
        "wire.documents",
        "wire.patches",
    },
    {
        "streams.hub",
        "streams.producers",
        "streams.windows",
        "live.jobs",
        "live.limits",
        "live.relay",
    },
    {"live.option_cache", "live.feed", "live.shutdown", "live.forks"},
    {"live.runtime"},
    {"web.errors", "web.caching", "web.openapi", "web.embed", "web.api"},
    {"reports.tables"},  # the report system, beside web/ (DESIGN §7-8)
    {"reports.areas", "reports.site"},
    {"reports.pages"},
    {"reports.dashboards", "reports.screens", "reports.playlists"},
    {"export.paper", "export.page", "export.images", "export.files"},
    {"export.app", "export.server", "commands"},
    {"extension"},
    {"", "demo", "demo.db"},  # "": the package's face
    {"demo.queries"},
    {"demo.formats"},
    {
        "demo.reports.overview",
        "demo.reports.channels",
        "demo.reports.regions",
        "demo.reports.products",
        "demo.reports.customers",
        "demo.reports.live",
        "demo.reports.screen",
    },
    {"demo.reports", "demo.report"},
    {"cli", "__main__"},
]
PACKAGES = {
    "",
    "streams",
    "streams.stores",
    "live",
    "web",
    "wire",
    "demo",
    "demo.reports",
    "export",
    "reports",
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """The modules of the package that ``path`` imports."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "flask_pyecharts":
                    found.add(alias.name.removeprefix("flask_pyecharts").lstrip("."))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".") if package else []
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and node.module.split(".")[0] == "flask_pyecharts":
                target = node.module.removeprefix("flask_pyecharts").lstrip(".")
            else:
                continue
            for alias in node.names:  # "from . import x": x may be a module
                candidate = f"{target}.{alias.name}".lstrip(".")
                if candidate in MODULES:
                    found.add(candidate)
                elif target in MODULES:
                    found.add(target)
    return found - {name}


FILES = sorted(PACKAGE.rglob("*.py"))
MODULES = {module_name(path) for path in FILES}
GRAPH = {module_name(path): imports(path) for path in FILES}


def test_every_module_has_a_layer():
    layered = set().union(*LAYERS) | PACKAGES
    assert MODULES - layered == set()


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_point_down(module):
    if module in PACKAGES and module:
        return  # a sub-package's __init__ only documents its layer
    rank = {name: index for index, layer in enumerate(LAYERS) for name in layer}
    upward = {
        target
        for target in GRAPH[module]
        if target not in PACKAGES and rank[target] > rank[module]
    }
    assert upward == set(), f"{module} imports from a higher layer"


def test_no_import_loop():
    """Depth-first search for a cycle in the import graph."""
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(GRAPH.get(module, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[module] = 2
        return None

    for module in sorted(GRAPH):
        if module not in state:
            loop = visit(module)
            assert loop is None, " -> ".join(name or "flask_pyecharts" for name in loop)
