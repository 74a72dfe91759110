"""The folder listing is the chain: prepare → parse → extract → output, run by engine.

No stage folder imports from a later one (at module level or inside a function), and
the shared modules (records, rulebook, rulesafety, rulecheck, cache, atomic) import no stage at all, so data
can only flow one way. Checked on the source, every import resolved to its module.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"
STAGES = ("prepare", "parse", "extract", "output", "engine")  # in the order data flows
SHARED = ("records", "rulebook", "rulesafety", "rulecheck", "cache", "atomic")
MAX_LINES = 420  # "no module over ~400 lines"


def _module_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every module of the package that ``path`` imports, as a dotted name under ``pipeline``."""
    package = _module_of(path).split(".") if path.name == "__init__.py" else _module_of(path).split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)]
            prefix = ".".join(base + ([node.module] if node.module else []))
            found |= {prefix} if node.module else {f"{prefix}.{a.name}".strip(".") for a in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pipeline."):
            found.add(node.module.removeprefix("pipeline."))
        elif isinstance(node, ast.Import):
            found |= {a.name.removeprefix("pipeline.") for a in node.names if a.name.startswith("pipeline.")}
    return found


def _rank(module: str) -> int | None:
    """The stage a module belongs to (its index in ``STAGES``), -1 for shared ones, None for the top level."""
    head = module.split(".")[0]
    if head in SHARED:
        return -1
    return STAGES.index(head) if head in STAGES else None


SOURCES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_stage_imports_a_later_stage(path):
    own = _rank(_module_of(path))
    if own is None:  # the command line, explain, bench, the spaCy component: they wire the stages
        return
    later = {m for m in _imports(path) if (r := _rank(m)) is None or r > own}
    later -= {""}
    assert not later, f"{_module_of(path)} imports {sorted(later)}, which come later in the chain"


def test_every_stage_has_its_folder():
    assert all((PACKAGE / stage / "__init__.py").is_file() for stage in STAGES)


def test_the_checker_sees_a_backward_import(tmp_path, monkeypatch):
    """The check is not vacuous: a prepare module importing the output stage is caught."""
    stage = tmp_path / "pipeline" / "prepare"
    stage.mkdir(parents=True)
    bad = stage / "bad.py"
    bad.write_text("def f():\n    from ..output import tables\n    from pipeline.engine import runner\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path / "pipeline")
    assert {m.split(".")[0] for m in _imports(bad)} == {"output", "engine"}
    assert all(_rank(m) > _rank(_module_of(bad)) for m in _imports(bad))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_over_the_size_limit(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(PACKAGE)}: {lines} lines"
