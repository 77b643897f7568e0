"""The template's shape, measured: what docs/design.md quotes before and after a restructure.

Not a speed benchmark: it counts, so its figures are exact and repeat. For a template checkout
(default: this repository) it prints

- the task and forecasting conditions (`{% if task ...`, `{% if forecasting %}`, `{% if
  use_case ...`, also inside file names) per shared template, under templates/project/;
- for each use case, rendered with its answers: the generated package's modules with their
  lines and longest function, the number of import floors (the longest chain of imports
  inside the package), and the import cycles between its modules.

    python benchmarks/template_shape.py [--template PATH] [--use-case NAME ...]
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import tempfile
from pathlib import Path

import copier

REPO = Path(__file__).resolve().parent.parent
CONDITION = re.compile(r"\{%-?\s*(?:el)?if\s+[^%]*\b(task|forecasting|use_case)\b")


def conditions(template: Path) -> dict[str, int]:
    """Conditions on the task, forecasting or the use case, per file under templates/project."""
    counts = {}
    for path in sorted((template / "templates" / "project").rglob("*")):
        if path.is_file():
            relative = str(path.relative_to(template / "templates" / "project"))
            try:
                found = len(CONDITION.findall(path.read_text(encoding="utf-8")))
            except UnicodeDecodeError:  # a binary file holds no Jinja
                continue
            found += len(CONDITION.findall(relative))
            if found:
                counts[relative] = found
    return counts


def render(template: Path, use_case: str, destination: Path) -> Path:
    copier.run_copy(
        str(template),
        destination,
        data={"use_case": use_case, "project_name": "shape"},
        defaults=True,
        quiet=True,
        vcs_ref="HEAD" if (template / ".git").exists() else None,
    )
    return destination / "src" / "shape"


def module_name(package: Path, path: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(package: Path, path: Path) -> set[str]:
    """The package's modules that `path` imports (relative and absolute, at any depth)."""
    name = module_name(package, path)
    base = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                origin = base[: len(base) - node.level + 1]
                target = ".".join([*origin, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target.split(".")[0] != package.name:
                continue
            for alias in node.names:
                found.add(f"{target}.{alias.name}")
                found.add(target)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == package.name}
    return found


def graph(package: Path) -> dict[str, set[str]]:
    modules = {module_name(package, p): p for p in package.rglob("*.py")}
    edges = {}
    for name, path in modules.items():
        edges[name] = {t for t in imports(package, path) if t in modules and t != name}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, result, counter = {}, {}, [], set(), [], [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on.add(node)
        for target in edges[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                item = stack.pop()
                on.discard(item)
                component.append(item)
                if item == node:
                    break
            if len(component) > 1:
                result.append(sorted(component))

    sys.setrecursionlimit(10000)
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return result


def floors(edges: dict[str, set[str]]) -> int:
    """The longest import chain (in modules), ignoring the edges that close a cycle."""
    depth: dict[str, int] = {}

    def walk(node: str, seen: frozenset[str]) -> int:
        if node in depth:
            return depth[node]
        below = [walk(t, seen | {node}) for t in edges[node] if t not in seen and t != node]
        depth[node] = 1 + max(below, default=0)
        return depth[node]

    return max((walk(node, frozenset()) for node in edges), default=0)


def longest_function(path: Path) -> tuple[int, str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    best = (0, "")
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            best = max(best, (node.end_lineno - node.lineno + 1, node.name))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", type=Path, default=REPO)
    parser.add_argument("--use-case", action="append")
    args = parser.parse_args()
    template = args.template.resolve()
    counts = conditions(template)
    print(f"conditions in shared templates: {sum(counts.values())} in {len(counts)} files")
    for relative, count in sorted(counts.items(), key=lambda item: -item[1]):
        print(f"  {count:3d}  {relative}")
    use_cases = args.use_case or sorted(
        p.parent.name for p in (template / "scenarios").glob("*/scenario.yml")
    )
    for use_case in use_cases:
        with tempfile.TemporaryDirectory() as scratch:
            package = render(template, use_case, Path(scratch) / use_case)
            edges = graph(package)
            found = cycles(edges)
            print(
                f"\n{use_case}: {len(edges)} modules, {floors(edges)} import floors, "
                f"{len(found)} import cycle(s) {found if found else ''}"
            )
            for path in sorted(package.rglob("*.py")):
                lines = len(path.read_text(encoding="utf-8").splitlines())
                length, name = longest_function(path)
                where = path.relative_to(package)
                print(f"  {lines:5d} lines  longest {length:4d} {name:28s} {where}")


if __name__ == "__main__":
    main()
