"""The house's rules, read off the source: rooms import only downwards, no import circles, the
heavy and terminal libraries stay in their rooms (ML ones only inside functions), no module
reaches for another's underscore names, every folder says what it holds, tests mirror the
rooms, and pieces stay small. And, run for real: the domain rooms load no terminal or ML library.

The import graph is every `import` and `from ... import` in gamio_cli, wherever it stands
(inside a function or under TYPE_CHECKING too: a lazy import that closes a circle is still a
circle), resolved to gamio_cli's own modules.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "gamio_cli"

# Each room and the rooms it may import besides itself, from the top of the house down
# (gamio_cli/__init__.py tells the same in words; "plain" is the story's plain data and seams).
ALLOWED: dict[str, set[str]] = {
    "cli": {"terminal", "commands", "game", "storage", "model", "engines", "engines.hf",
            "engines.ct2", "engines.remote", "turn", "world", "plain"},
    "terminal": {"commands", "game", "storage", "model", "turn", "world", "plain"},
    "commands": {"game", "storage", "turn", "world", "plain"},
    "game": {"storage", "turn", "world", "plain"},
    "storage": {"turn", "world", "plain"},
    "model": {"engines", "engines.hf", "engines.ct2", "engines.remote", "turn", "world", "plain"},
    "engines.ct2": {"engines.hf", "engines", "turn", "world", "plain"},
    "engines.hf": {"engines", "turn", "world", "plain"},
    "engines.remote": {"engines", "turn", "world", "plain"},
    "engines": {"turn", "world", "plain"},
    "turn": {"world", "plain"},
    "world": {"plain"},
    "plain": set(),
}  # fmt: skip
PLAIN = {"gamio_cli", "gamio_cli.story", "gamio_cli.engine", "gamio_cli.settings",
         "gamio_cli.errors", "gamio_cli.textsafe", "gamio_cli.durable"}  # fmt: skip
TOP = {"gamio_cli.cli": "cli", "gamio_cli.__main__": "cli", "gamio_cli.model": "model",
       "gamio_cli.game": "game"}  # fmt: skip
# Libraries and the rooms that alone may import them.
ML = {"torch", "transformers", "ctranslate2", "sentencepiece", "huggingface_hub", "safetensors",
      "tokenizers"}  # fmt: skip
LIBRARY_ROOMS = {
    **{library: {"engines", "engines.hf", "engines.ct2"} for library in ML},
    "rich": {"terminal"}, "prompt_toolkit": {"terminal"}, "typer": {"cli"}, "click": {"cli"},
}  # fmt: skip
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # what it imports: a gamio_cli module or a library's dotted name
    names: tuple[str, ...]  # the names taken from target (from ... import names)
    line: int
    in_function: bool  # inside a def: runs only when called
    type_only: bool  # under `if TYPE_CHECKING:`


def module_name(path: Path, root: Path | None = None) -> str:
    parts = list(path.relative_to(root or REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def room(module: str) -> str:
    if module in PLAIN:
        return "plain"
    if module in TOP:
        return TOP[module]
    parts = module.split(".")
    if parts[1] == "commandline":
        return "cli"
    if parts[1] == "engines" and len(parts) > 3:
        return f"engines.{parts[2]}"
    return parts[1]


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    is_package = modules().get(module, Path()).name == "__init__.py"
    base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
    return ".".join(base + ([node.module] if node.module else []))


class _Collector(ast.NodeVisitor):
    def __init__(self, module: str) -> None:
        self.module = module
        self.imports: list[Import] = []
        self._functions = 0
        self._type_only = 0

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._functions += 1
        self.generic_visit(node)
        self._functions -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_If(self, node: ast.If) -> None:
        guarded = "TYPE_CHECKING" in ast.unparse(node.test)
        self._type_only += guarded
        for child in node.body:
            self.visit(child)
        self._type_only -= guarded
        for child in node.orelse:
            self.visit(child)

    def _add(self, target: str, names: tuple[str, ...], line: int) -> None:
        self.imports.append(Import(self.module, target, names, line, self._functions > 0,
                                   self._type_only > 0))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, (), node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        source = _resolve(self.module, node)
        for alias in node.names:
            submodule = f"{source}.{alias.name}"
            if submodule in modules():  # `from gamio_cli.engines import hub`: the module itself
                self._add(submodule, (), node.lineno)
            else:
                self._add(source, (alias.name,), node.lineno)


@cache
def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def imports_of(path: Path, root: Path | None = None) -> list[Import]:
    collector = _Collector(module_name(path, root))
    collector.visit(parsed(path))
    return collector.imports


@cache
def all_imports() -> tuple[Import, ...]:
    return tuple(found for path in modules().values() for found in imports_of(path))


def own(found: Import) -> bool:
    return found.target == "gamio_cli" or found.target.startswith("gamio_cli.")


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {module: set() for module in modules()}
    for found in all_imports():
        if own(found) and found.target != found.module:
            edges[found.module].add(found.target)
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import circle (its modules, the first repeated at the end), or None."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == "open":
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = "done"
        path.pop()
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start)):
            return found
    return None


# --- the checker itself ---------------------------------------------------------------------


def test_the_cycle_finder_finds_a_circle_and_passes_a_tree() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_the_collector_sees_lazy_relative_and_type_only_imports(tmp_path: Path) -> None:
    (tmp_path / "gamio_cli" / "turn").mkdir(parents=True)
    source = tmp_path / "gamio_cli" / "turn" / "x.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "from . import prompt\n"
        "if TYPE_CHECKING:\n    from gamio_cli.cli import PlayOptions\n"
        "def f() -> None:\n    import torch\n",
        encoding="utf-8",
    )
    found = {(i.target, i.in_function, i.type_only) for i in imports_of(source, tmp_path)}
    assert ("gamio_cli.turn.prompt", False, False) in found
    assert ("gamio_cli.cli", False, True) in found and ("torch", True, False) in found


# --- the rules ------------------------------------------------------------------------------


def test_every_module_has_a_room() -> None:
    assert {room(module) for module in modules()} <= set(ALLOWED)


def test_no_import_circles() -> None:
    assert find_cycle(graph()) is None


def test_rooms_import_only_their_own_room_or_rooms_below() -> None:
    wrong = [
        f"{found.module}:{found.line} imports {found.target} ({room(found.module)} -> "
        f"{room(found.target)})"
        for found in all_imports()
        if own(found) and found.target in modules()
        and room(found.target) not in ALLOWED[room(found.module)] | {room(found.module)}
    ]
    assert wrong == []


def test_libraries_stay_in_their_rooms_and_ml_ones_load_lazily() -> None:
    wrong = []
    for found in all_imports():
        library = found.target.split(".")[0]
        rooms = LIBRARY_ROOMS.get(library)
        if rooms is not None and room(found.module) not in rooms:
            wrong.append(f"{found.module}:{found.line} imports {found.target}")
        elif library in ML and not (found.in_function or found.type_only):
            wrong.append(f"{found.module}:{found.line} imports {found.target} at import time")
    assert wrong == []


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _module_aliases(tree: ast.Module, importer: str) -> set[str]:
    """Local names bound to gamio_cli modules (import x.y as z; from x import module)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.asname for a in node.names if a.asname and a.name.startswith("gamio_cli")}
        elif isinstance(node, ast.ImportFrom):
            source = _resolve(importer, node)
            names |= {a.asname or a.name for a in node.names if f"{source}.{a.name}" in modules()}
    return names


def test_no_module_uses_another_modules_underscore_names() -> None:
    """gamio_cli's modules neither import nor reach into another module's private names;
    tests and benchmarks import none (white-box tests may still patch one in place)."""
    wrong = []
    for path in [*PACKAGE.rglob("*.py"), *(REPO / "tests").rglob("*.py"),
                 *(REPO / "benchmarks").rglob("*.py")]:
        tree = parsed(path)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gamio_cli"):
                wrong += [f"{path}:{node.lineno} imports {a.name}" for a in node.names
                          if _private(a.name)]
        if not path.is_relative_to(PACKAGE):
            continue
        aliases = _module_aliases(tree, module_name(path))
        wrong += [
            f"{path}:{node.lineno} uses {node.value.id}.{node.attr}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            and node.value.id in aliases and _private(node.attr)
        ]
    assert wrong == []


def test_every_folder_says_what_it_holds_and_what_it_may_import() -> None:
    for init in sorted(PACKAGE.rglob("__init__.py")):
        tree = parsed(init)
        doc = ast.get_docstring(tree) or ""
        assert len(doc) > 80, f"{init}: say what lives here"
        assert init.parent == PACKAGE or "May import" in doc or "may import" in doc, init
        assert not [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))], (
            f"{init}: a package imports nothing, so importing one module loads only its own"
        )


def test_tests_mirror_the_rooms_and_the_readme_shows_them() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for folder in sorted(p.parent for p in PACKAGE.rglob("__init__.py") if p.parent != PACKAGE):
        relative = folder.relative_to(PACKAGE)
        assert list((REPO / "tests" / relative).glob("test_*.py")), f"tests/{relative}/"
        assert f"{relative.as_posix()}/" in readme, f"README: {relative}/"


def test_pieces_stay_small() -> None:
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            wrong.append(f"{path}: {lines} lines")
        for node in ast.walk(parsed(path)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                start = min([node.lineno] + [d.lineno for d in node.decorator_list])
                length = (node.end_lineno or start) - start + 1
                if length > MAX_FUNCTION_LINES:
                    wrong.append(f"{path}:{start} {node.name}: {length} lines")
    assert wrong == []


# --- run for real ---------------------------------------------------------------------------

# Rooms whose modules must load without a terminal or an ML library (fast, testable anywhere).
DOMAIN_ROOMS = {"plain", "world", "turn", "storage", "game", "commands"}
DOMAIN = sorted(m for m in modules() if room(m) in DOMAIN_ROOMS and m != "gamio_cli")
FORBIDDEN = ["torch", "transformers", "ctranslate2", "sentencepiece", "huggingface_hub",
             "rich", "prompt_toolkit", "typer"]  # fmt: skip


@pytest.mark.parametrize("module", DOMAIN)
def test_domain_module_imports_no_terminal_or_ml_library(module: str) -> None:
    code = f"import sys, {module}; print(sorted(set({FORBIDDEN!r}) & set(sys.modules)))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=REPO)
    assert run.stdout.strip() == "[]"
