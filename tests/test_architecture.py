"""The package's shape, read from its source: imports run one way (no circles, no import from a
lower layer to a higher one), modules stay under 400 lines, and no path is built from
``__file__`` that leaves the package. The layers are described in docs/architecture.md."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "faceswap_kit"
MAX_LINES = 400

# Each top-level module or subpackage of faceswap_kit sits on one layer; a module may import its
# own layer and the layers below, never one above. "faceswap_kit" is the package's __init__.
LAYERS: list[tuple[str, set[str]]] = [
    (
        "ground",
        {
            "faceswap_kit",
            "errors",
            "device",
            "validate",
            "threads",
            "frames",
            "smoothing",
            "io",
            "metrics",
            "geometry",
            "detect",
        },
    ),
    ("face geometry", {"align", "masks"}),
    (
        "building blocks",
        {"merge", "synth", "models", "provenance", "forensics", "swapper", "warp2d"},
    ),
    ("stages", {"dataset", "pipeline"}),
    ("learning", {"train"}),
    ("applications", {"evaluate", "convert", "live", "viz", "spotter"}),
    ("front ends", {"widgets", "demo", "workspace"}),
    ("command line", {"cli", "__main__"}),
]
LAYER_OF = {unit: rank for rank, (_, units) in enumerate(LAYERS) for unit in units}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def unit(module: str) -> str:
    """The top-level module or subpackage a module belongs to (its layer's member)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def imported_modules(module: str) -> set[str]:
    """Modules of faceswap_kit that ``module`` imports, at the top or inside a function."""
    path = MODULES[module]
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "faceswap_kit")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "faceswap_kit":
                continue
            for alias in node.names:  # ``from . import x``: x may be a module or a name
                submodule = f"{target}.{alias.name}"
                found.add(submodule if submodule in MODULES else target)
    unknown = found - set(MODULES)
    assert not unknown, f"{module} imports modules that do not exist: {sorted(unknown)}"
    return found - {module}


GRAPH = {module: imported_modules(module) for module in MODULES}


def test_every_unit_has_a_layer():
    units = {unit(module) for module in MODULES}
    assert units - set(LAYER_OF) == set(), "add the new module to LAYERS and docs/architecture.md"
    assert set(LAYER_OF) - units == set(), "LAYERS names a module that does not exist"


def test_no_import_from_a_lower_layer_to_a_higher_one():
    upward = [
        f"{module} ({LAYERS[LAYER_OF[unit(module)]][0]}) imports {target} "
        f"({LAYERS[LAYER_OF[unit(target)]][0]})"
        for module, targets in GRAPH.items()
        for target in sorted(targets)
        if LAYER_OF[unit(target)] > LAYER_OF[unit(module)]
    ]
    assert upward == []


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle in ``graph``, as a path that ends where it starts, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return path[path.index(target) :] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_find_cycle_finds_a_circle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_circles_between_modules():
    """Counting imports inside functions too: a lazy import hides a circle, it does not remove it."""
    assert find_cycle(GRAPH) is None


@pytest.mark.parametrize("module", sorted(MODULES))
def test_module_is_under_the_size_limit(module):
    lines = len(MODULES[module].read_text().splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines; split it by job"


def levels_up(node: ast.expr) -> int | None:
    """How many folders above a module's own file ``node`` names, when ``node`` is a path built
    from ``__file__`` (``Path(__file__).parent``, ``.parents[2]``, ``os.path.dirname``...)."""
    if isinstance(node, ast.Name):
        return 0 if node.id == "__file__" else None
    if isinstance(node, ast.Call):
        name = ast.unparse(node.func)
        if name in ("Path", "pathlib.Path") and node.args:
            return levels_up(node.args[0])
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("resolve", "absolute"):
            return levels_up(node.func.value)
        if name in ("os.path.dirname", "dirname") and node.args:
            inner = levels_up(node.args[0])
            return None if inner is None else inner + 1
        if name in ("os.path.abspath", "os.path.realpath") and node.args:
            return levels_up(node.args[0])
        return None
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        inner = levels_up(node.value)
        return None if inner is None else inner + 1
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute):
        if node.value.attr == "parents" and isinstance(node.slice, ast.Constant):
            inner = levels_up(node.value.value)
            return None if inner is None else inner + int(node.slice.value) + 1
    return None


def test_levels_up_reads_the_usual_spellings():
    def up(source: str) -> int | None:
        return levels_up(ast.parse(source, mode="eval").body)

    assert up("Path(__file__).resolve().parents[2]") == 3
    assert up("pathlib.Path(__file__).parent.parent") == 2
    assert up("os.path.dirname(os.path.dirname(__file__))") == 2
    assert up("Path(__file__).with_name('x')") is None  # beside the module: fine


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_path_from_file_leaves_the_package(module):
    """Nothing in the package assumes where a checkout is: a path built from ``__file__`` stays
    inside faceswap_kit/ (models, benchmarks and data are found by explicit search paths)."""
    path = MODULES[module]
    depth = len(path.relative_to(PACKAGE).parts)  # folders from the file up to faceswap_kit/
    outside = [
        f"line {node.lineno}: {ast.unparse(node)}"
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.expr) and (up := levels_up(node)) is not None and up > depth
    ]
    assert outside == [], f"{module} builds paths outside the package from __file__"
