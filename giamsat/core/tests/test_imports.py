"""The shape of the imports, read from the source with `ast` (nothing is imported).

- core is a leaf: every app may import it, so it imports no other giamsat package, not even
  inside a function;
- no two giamsat modules import each other at module level.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]  # the directory that holds the giamsat package
PACKAGE = ROOT / "giamsat"

# Pairs of modules that import each other at module level today: to be untangled, not added to.
# to remove with the one ingest path (issue 12)
KNOWN_CYCLES = {
    # The Excel channel's routes use the report helpers of routes.py, which imports them back
    # (last, after those helpers) so that ROUTES_EXCEL is collected.
    ("giamsat.reporting.tests.routes", "giamsat.reporting.tests.routes_excel"),
}
# Not module level, so not checked here: reporting.bulk <-> exchange, events.services <-> tasks
# and jobs.services <-> tasks, where one side imports the other inside a function.


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _package_of(module: str) -> str:
    """The package a module's relative imports start from."""
    return module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]


def _imported(module: str, node: ast.Import | ast.ImportFrom) -> set[str]:
    """The dotted names a statement of `module` imports, relative ones resolved.

    `from a import b` names `a.b` when b is a module, `a` when b is a name defined in a.
    """
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    base = node.module or ""
    if node.level:
        package = _package_of(module).split(".")
        anchor = ".".join(package[: len(package) - node.level + 1])
        base = f"{anchor}.{base}" if base else anchor
    names = set()
    for alias in node.names:
        candidate = f"{base}.{alias.name}"
        names.add(candidate if candidate in MODULES else base)
    return names


def _owning_module(name: str) -> str | None:
    """The giamsat module a dotted name lives in (itself, or the nearest enclosing module)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_level_imports(nodes):
    """Import statements run when the module is imported: not inside a function (class
    bodies and if/try blocks run, `if TYPE_CHECKING:` blocks do not)."""
    for node in nodes:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        elif isinstance(node, ast.If) and _is_type_checking(node):
            yield from _module_level_imports(node.orelse)
        else:
            yield from _module_level_imports(ast.iter_child_nodes(node))


def _tree(module: str) -> ast.Module:
    return ast.parse(MODULES[module].read_text(encoding="utf-8"), filename=str(MODULES[module]))


def _dynamic_imports(tree: ast.AST) -> set[str]:
    """Names given as a literal to importlib.import_module(...) or __import__(...)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if called in {"import_module", "__import__"} and isinstance(node.args[0].value, str):
                names.add(node.args[0].value)
    return names


def _outside_core(name: str) -> bool:
    return (name == "giamsat" or name.startswith("giamsat.")) and not (
        name == "giamsat.core" or name.startswith("giamsat.core.")
    )


@pytest.mark.parametrize("module", [m for m in MODULES if m == "giamsat.core" or m.startswith("giamsat.core.")])
def test_core_imports_no_other_giamsat_package(module):
    """core is a leaf: any import of another giamsat package, at any depth, fails."""
    tree = _tree(module)
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            found |= {(node.lineno, name) for name in _imported(module, node) if _outside_core(name)}
    found |= {(0, name) for name in _dynamic_imports(tree) if _outside_core(name)}
    assert not found, f"{module} imports outside core: {sorted(found)}"


def _module_graph() -> dict[str, set[str]]:
    graph = {}
    for module in MODULES:
        targets = set()
        for node in _module_level_imports(_tree(module).body):
            for name in _imported(module, node):
                target = _owning_module(name)
                if target is not None and target != module:
                    targets.add(target)
        graph[module] = targets
    return graph


def _mutual_pairs(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    return {(a, b) for a, targets in graph.items() for b in targets if a < b and a in graph.get(b, ())}


def test_no_two_modules_import_each_other():
    """A pair of modules that import each other at module level works only by import order."""
    pairs = _mutual_pairs(_module_graph())
    new = sorted(pairs - KNOWN_CYCLES)
    assert not new, "modules that import each other:\n" + "\n".join(f"  {a} <-> {b}" for a, b in new)
    gone = sorted(KNOWN_CYCLES - pairs)
    assert not gone, f"no longer a cycle, remove from KNOWN_CYCLES: {gone}"


@pytest.mark.parametrize(
    "module, source, expected",
    [
        ("giamsat.core.urls", "from . import views", {"giamsat.core.views"}),
        ("giamsat.core", "from .periods import Period", {"giamsat.core.periods"}),
        ("giamsat.core.urls", "from ..orgunits import selectors", {"giamsat.orgunits.selectors"}),
        ("giamsat.core.urls", "from giamsat.core.dates import today", {"giamsat.core.dates"}),
        ("giamsat.core.urls", "import giamsat.orgunits.models", {"giamsat.orgunits.models"}),
    ],
)
def test_relative_imports_are_resolved(module, source, expected):
    assert _imported(module, ast.parse(source).body[0]) == expected


def test_function_bodies_and_type_checking_blocks_are_not_module_level():
    source = """
import a
if TYPE_CHECKING:
    import b
else:
    import c
try:
    import d
except ImportError:
    pass
class K:
    import e
def f():
    import g
"""
    names = {alias.name for node in _module_level_imports(ast.parse(source).body) for alias in node.names}
    assert names == {"a", "c", "d", "e"}


def test_a_mutual_pair_is_found():
    assert _mutual_pairs({"x": {"y"}, "y": {"x", "z"}, "z": set()}) == {("x", "y")}
