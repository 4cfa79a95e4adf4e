"""The package's architecture rules, checked on its source.

- no module imports a private name (``_x``) of another module;
- no import cycle between modules, lazy imports included;
- no import climbs a layer: the sub-packages are layered (:data:`LAYERS`, the
  order the package's docstring gives too), and a module imports only from its
  own layer and the layers below, lazy imports included;
- nothing outside ``engines/`` asks which engine is in use;
- no function over 80 lines and no class over 300 lines of code (docstrings
  not counted), no module over 600 lines;
- the command line's parser is built without importing Brian2 or numpy.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "superspike_brian"
ENGINE_NAMES = {"synaptic", "factorized"}
#: The package's layers, lowest first: the top-level modules (the foundation),
#: then one sub-package per layer. Written once here; the package's docstring
#: lists the sub-packages in this order (checked below).
FOUNDATION = (
    "superspike_brian",
    "errors",
    "logs",
    "files",
    "cache",
    "choices",
    "cores",
    "integrity",
    "plain_checks",
    "validation",
    "runlock",
    "rundir",
)
LAYERS = (
    FOUNDATION,
    ("tasks",),
    ("model",),
    ("devices",),
    ("engines",),
    ("rule",),
    ("feedforward",),
    ("interop",),
    ("reporting",),
    ("training",),
    ("paper",),
    ("options",),
    ("sweep",),
    ("reproduce",),
    ("cli",),
)


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path, ast.parse(path.read_text())


def _imports(tree):
    """(module, names) of every ``from superspike_brian... import`` and ``import``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, []


def test_no_module_imports_private_names_of_another():
    bad = []
    for name, path, tree in _modules():
        for module, names in _imports(tree):
            if module.startswith("superspike_brian") and module != name:
                bad += [f"{name}: {module}.{n}" for n in names if n.startswith("_")]
    assert not bad, bad


def _graph():
    modules = {name for name, _, _ in _modules()}
    graph = {}
    for name, _, tree in _modules():
        deps = set()
        for module, names in _imports(tree):
            if not module.startswith("superspike_brian"):
                continue
            for n in names:  # from package import submodule
                if f"{module}.{n}" in modules:
                    deps.add(f"{module}.{n}")
            if module in modules and not (names and all(f"{module}.{n}" in modules for n in names)):
                deps.add(module)
        # A package's __init__ re-exporting its own modules is not a dependency
        # of those modules on the package.
        graph[name] = {d for d in deps if d != name}
    return graph


def test_no_import_cycles():
    graph = _graph()
    state, stack, cycles = {}, [], []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            if dep.startswith(node + "."):
                continue  # a package importing its own sub-modules
            if state.get(dep) == "open":
                cycles.append(stack[stack.index(dep) :] + [dep])
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, cycles


def _layer(module):
    """Index in LAYERS of a module ``superspike_brian.x.y`` (its top-level name ``x``)."""
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "superspike_brian"
    for k, names in enumerate(LAYERS):
        if top in names:
            return k
    raise AssertionError(f"{module}: {top} is in no layer of LAYERS; add it there")


def test_no_import_climbs_a_layer():
    climbs = [
        f"{name} (layer {_layer(name)}) imports {dep} (layer {_layer(dep)})"
        for name, deps in sorted(_graph().items())
        for dep in sorted(deps)
        if _layer(dep) > _layer(name)
    ]
    assert not climbs, "\n".join(climbs)


def test_the_package_docstring_lists_the_layers_in_order():
    import superspike_brian

    doc = superspike_brian.__doc__
    layers = [names[0] for names in LAYERS[1:]]
    spelled = [f"``{n}/``" if (PACKAGE / n).is_dir() else f"``{n}.py``" for n in layers]
    positions = [doc.find(text) for text in spelled]
    missing = [n for n, p in zip(spelled, positions, strict=True) if p < 0]
    assert not missing, f"the package docstring does not name {missing}"
    assert positions == sorted(positions), "the docstring lists the layers in another order"
    on_disk = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert on_disk <= set(layers), f"sub-packages in no layer: {on_disk - set(layers)}"


def test_nothing_outside_the_engines_asks_which_engine():
    bad = []
    for name, path, tree in _modules():
        if name.startswith("superspike_brian.engines"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare):
                consts = [
                    c.value
                    for c in [node.left, *node.comparators]
                    if isinstance(c, ast.Constant) and isinstance(c.value, str)
                ]
                if ENGINE_NAMES & set(consts):
                    bad.append(f"{path.name}:{node.lineno}")
    assert not bad, bad


def _code_lines(node):
    """Lines of a function or class without its docstrings."""
    lines = set(range(node.lineno, node.end_lineno + 1))
    for sub in ast.walk(node):
        if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            body = sub.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                lines -= set(range(body[0].lineno, body[0].end_lineno + 1))
    return len(lines)


def test_functions_and_classes_stay_small():
    bad = []
    for name, path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                limit = 300 if isinstance(node, ast.ClassDef) else 80
                n = _code_lines(node)
                if n > limit:
                    bad.append(f"{name}.{node.name}: {n} lines")
    assert not bad, bad


def test_modules_stay_small():
    bad = []
    for name, path, _ in _modules():
        n = len(path.read_text().splitlines())
        if n > 600:
            bad.append(f"{name}: {n} lines")
    assert not bad, bad


@pytest.mark.parametrize("argv", [["--help"], ["train", "--help"], ["train", "--device", "gpu"]])
def test_command_line_answers_without_brian2(argv):
    code = (
        "import sys\n"
        "from superspike_brian.cli import main\n"
        "try:\n"
        f"    main({argv!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('brian2', 'numpy', 'matplotlib') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=PACKAGE.parent
    )
    assert "HEAVY []" in out.stdout, out.stdout + out.stderr


def test_one_load_run_and_one_reader_of_run_files():
    """One function makes a run again from its directory; the run's files are
    read through ``rundir`` (its checksums) everywhere else."""
    defined = [
        name
        for name, _, tree in _modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name == "load_run"
    ]
    assert defined == ["superspike_brian.training.load"], defined
    results = {'"metrics.csv"', '"spikes.npz"', '"weights.npz"', '"voltage.npz"', '"xor.json"'}
    opened = []
    for name, path, tree in _modules():
        if name == "superspike_brian.rundir":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in {
                "load",
                "read_text",
                "read_bytes",
            }:
                text = ast.unparse(node)
                opened += [f"{path.name}:{node.lineno}" for r in results if r in text]
    assert not opened, opened
