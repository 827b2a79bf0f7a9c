"""Which functions named for ``scripts/mutate_in_process.py`` could read a false kill: each named
method whose code names a class named in the same run (its own included), or calls ``super()``
without arguments. Why: a method's mutant runs with the generated namespace's globals, where
a named class was a bare class of the same name (before a85ff82) and a zero-argument ``super()``
reads the bare class's ``__class__`` cell (before 941ed53); a top-level function's mutant runs
with the module's globals (its code is put into the module's own function), so only methods are
listed as exposed. Names inside annotations are counted too (read the line: under
``from __future__ import annotations`` they are never evaluated).

    PYTHONPATH=$PWD .venv/bin/python bench/mutation_helpers/named_class_refs.py harness.invariants \\
        _ReportTally.__init__ _ErrorsCounted.__init__ check_errors_counted
"""
import ast
import importlib
import sys
from pathlib import Path


def _node(tree: ast.Module, function: str) -> ast.FunctionDef | None:
    cls_name, _, name = function.rpartition(".")
    for node in tree.body:
        if not cls_name and isinstance(node, ast.FunctionDef) and node.name == name:
            return node
        if cls_name and isinstance(node, ast.ClassDef) and node.name == cls_name:
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == name:
                    return item
    return None


def main(module: str, functions: list[str]) -> int:
    tree = ast.parse(Path(importlib.import_module(module).__file__).read_text())
    named_classes = {f.split(".")[0] for f in functions if "." in f}
    for function in functions:
        node = _node(tree, function)
        if node is None:
            print(f"{function}: not found in {module}")
            continue
        classes = sorted({n.id for n in ast.walk(node) if isinstance(n, ast.Name) and n.id in named_classes})
        bare_super = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "super"
                         and not n.args for n in ast.walk(node))
        exposed = "." in function and (classes or bare_super)
        print(f"{function}: names {classes or 'no named class'}, super() {bare_super}, "
              f"{'EXPOSED (a method)' if exposed else 'not exposed'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
