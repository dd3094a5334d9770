"""The shape of the code, measured: no import circle in `oms`, no file in `oms/` or `adapters/` over 400 lines."""

from __future__ import annotations

from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]


def import_circles(package: str) -> list[list[str]]:
    """Every set of modules of `package` that import each other round (TYPE_CHECKING imports count)."""
    graph = grimp.build_graph(package)
    modules = sorted(graph.modules)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            members = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                members.append(member)
                if member == module:
                    break
            if len(members) > 1:
                circles.append(sorted(members))

    for module in modules:
        if module not in index:
            visit(module)
    return circles


def test_no_import_circle_in_oms() -> None:
    """No two modules of `oms` import each other, directly or round a longer circle."""
    assert import_circles("oms") == []


def test_the_circle_finder_finds_a_circle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A package whose two modules import each other is reported (the check above can fail)."""
    package = tmp_path / "circular"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from circular import b\n")
    (package / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from circular import a\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert import_circles("circular") == [["circular.a", "circular.b"]]


def test_no_source_file_over_400_lines() -> None:
    """Files in oms/ and adapters/ are split by concept before they pass 400 lines."""
    long = {
        str(path.relative_to(ROOT)): lines
        for folder in ("oms", "adapters")
        for path in (ROOT / folder).rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}
