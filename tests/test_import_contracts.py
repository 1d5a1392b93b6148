"""The import contracts import-linter cannot express (its own are in pyproject.toml under
[tool.importlinter], run by `lint-imports`): no import cycle between any two modules of
tui/ and screens/, and the pure rules import only the standard library and their own
helpers (an allow-list: import-linter only forbids).

Imports are read from the source, those inside functions included: a lazy import closes a
cycle as surely as a top-level one, only later. Imports under `if TYPE_CHECKING:` are left
out, as lint-imports leaves them out: they never run."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("tui", "screens")

# The pure rules (no I/O, no Textual, nothing of the cloud), a package each if one is split.
RULES = ("tui.rules", "tui.dns_rules", "tui.dns_plan", "tui.cache_rules", "tui.delivery_rules")
# What they may import besides the standard library: each other, tui.safe_text (itself
# standard library only, checked below) and the data they apply: IDNA 2008 and the public
# suffix list, both pure computation.
RULES_MAY_IMPORT = (*RULES, "tui.safe_text", "idna", "publicsuffixlist")
STDLIB_ONLY = ("tui.safe_text",)


def modules_under(root: Path, packages=PACKAGES) -> dict[str, Path]:
    """Dotted module name -> file, packages as their __init__."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_names(module: str, path: Path) -> set[str]:
    """Every name `module` imports, absolute: "x.y" for `import x.y` and `from x import y`
    alike (y may be a module), relative imports resolved."""
    is_package = path.name == "__init__.py"
    names: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = module.split(".")
                keep = len(parts) - node.level + (1 if is_package else 0)
                base = ".".join([*parts[:keep], *filter(None, [node.module])])
            else:
                base = node.module or ""
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    names.discard("__future__.annotations")
    return names


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the project modules it imports (a package's __init__ counts as one)."""
    return {
        name: {n for n in imported_names(name, path) if n in modules and n != name}
        for name, path in modules.items()
    }


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (a, b, ..., a) for each group of modules that import each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def strongconnect(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                strongconnect(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            strongconnect(node)

    found = []
    for group in groups:
        start, members = min(group), set(group)
        # Shortest way back to `start` inside the group, breadth first.
        paths = {target: [start, target] for target in graph[start] & members}
        frontier = list(paths)
        while start not in paths:
            step = []
            for node in frontier:
                for target in sorted(graph[node] & members):
                    if target not in paths:
                        paths[target] = [*paths[node], target]
                        step.append(target)
            frontier = step
        found.append(paths[start])
    return sorted(found)


def within(name: str, allowed) -> bool:
    return any(name == a or name.startswith(a + ".") for a in allowed)


def outside_allowed(modules: dict[str, Path], sources, allowed) -> dict[str, list[str]]:
    """For each module of `sources`, what it imports that is neither the standard library
    nor `allowed` (packages and their modules)."""
    found = {}
    for name, path in modules.items():
        if not within(name, sources):
            continue
        bad = sorted(
            n
            for n in imported_names(name, path)
            if n.split(".")[0] not in sys.stdlib_module_names and not within(n, allowed)
        )
        if bad:
            found[name] = bad
    return found


def test_no_import_cycle_between_modules():
    modules = modules_under(ROOT)
    assert {"tui.app", "tui.keys", "screens.cname", "screens.cname_plan"} <= set(modules)
    assert [" -> ".join(cycle) for cycle in cycles(import_graph(modules))] == []


def test_the_rules_import_the_standard_library_and_their_own_helpers_only():
    modules = modules_under(ROOT)
    assert {"tui.rules", "tui.dns_rules", "tui.safe_text"} <= set(modules)
    assert outside_allowed(modules, RULES, RULES_MAY_IMPORT) == {}
    assert outside_allowed(modules, STDLIB_ONLY, ()) == {}


def test_test_modules_share_helpers_through_pilot_and_helpers_only():
    # A helper imported from another test module drags that module's tests into the
    # importer's namespace and breaks when the tests move: shared helpers live in
    # tests/pilot.py (Pilot) and tests/helpers.py (command line, served sandbox, tmux).
    modules = modules_under(ROOT, ("tests",))
    assert {"tests.pilot", "tests.helpers", "tests.test_import_contracts"} <= set(modules)
    found = {
        name: sorted(n for n in imported_names(name, path) if n.startswith("tests.test_"))
        for name, path in modules.items()
    }
    assert {name: names for name, names in found.items() if names} == {}


# The checks themselves, on a small tree written for the purpose: each can fail.


def _tree(tmp_path: Path, files: dict[str, str]) -> dict[str, Path]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return modules_under(tmp_path, ("tui",))


def test_a_cycle_closed_by_an_import_inside_a_function_is_found(tmp_path):
    modules = _tree(
        tmp_path,
        {
            "tui/__init__.py": "",
            "tui/a.py": "from tui import b\n",
            "tui/b.py": "from . import c\n",
            "tui/c.py": "def later():\n    import tui.a\n",
            "tui/d.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import tui.a\n",
        },
    )
    graph = import_graph(modules)
    assert graph["tui.d"] == set()  # never runs: no edge
    assert cycles(graph) == [["tui.a", "tui.b", "tui.c", "tui.a"]]


def test_a_rule_importing_past_its_allow_list_is_named(tmp_path):
    modules = _tree(
        tmp_path,
        {
            "tui/__init__.py": "",
            "tui/rules.py": "import re\nimport idna\nfrom tui.safe_text import shown\n",
            "tui/dns_rules/__init__.py": "from .plan import x\n",
            "tui/dns_rules/plan.py": "def f():\n    from tui.services import errors\n",
            "tui/safe_text.py": "import rich\n",
        },
    )
    assert outside_allowed(modules, RULES, RULES_MAY_IMPORT) == {
        "tui.dns_rules.plan": ["tui.services", "tui.services.errors"]
    }
    assert outside_allowed(modules, STDLIB_ONLY, ()) == {"tui.safe_text": ["rich"]}
