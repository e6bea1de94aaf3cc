"""List the literal tables in Python code: dicts, lists, sets and tuples over N lines.

    .venv/bin/python -m devtools.long_literals [--lines 50] [PATH ...]

Domain data belongs in data/ as files; this finds what is still written in code. Only the
outermost literal of a nesting counts. Prints ``path:line: Kind of N lines``, one a table.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterator
from pathlib import Path

KINDS = (ast.Dict, ast.List, ast.Set, ast.Tuple)
DEFAULT_PATHS = ("linkage", "indexer", "scripts", "benchmarks", "devtools")


def long_literals(source: str, limit: int) -> Iterator[tuple[int, int, str]]:
    """(first line, lines spanned, kind) of each outermost literal spanning more than limit."""

    def visit(node: ast.AST, inside: bool) -> Iterator[tuple[int, int, str]]:
        literal = isinstance(node, KINDS)
        if literal and not inside and node.end_lineno - node.lineno + 1 > limit:
            yield node.lineno, node.end_lineno - node.lineno + 1, type(node).__name__
        for child in ast.iter_child_nodes(node):
            yield from visit(child, inside or literal)

    yield from visit(ast.parse(source), False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=50, help="longest literal allowed")
    parser.add_argument("paths", nargs="*", default=DEFAULT_PATHS)
    args = parser.parse_args()
    for root in map(Path, args.paths):
        for path in sorted(root.rglob("*.py")) if root.is_dir() else [root]:
            for line, span, kind in long_literals(path.read_text(encoding="utf-8"), args.lines):
                print(f"{path}:{line}: {kind} of {span} lines")


if __name__ == "__main__":
    main()
