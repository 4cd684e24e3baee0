"""The project's shape rules that no linter checks: small modules, one home for test helpers."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 450


def test_no_module_of_the_package_is_over_the_limit() -> None:
    sizes = {
        str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
        for p in (ROOT / "src" / "seamline").rglob("*.py")
    }
    assert sizes, "no modules found"
    assert {p: n for p, n in sizes.items() if n > MAX_LINES} == {}


def test_tests_share_helpers_through_the_support_package() -> None:
    # pytest discourages importing conftest modules; shared helpers live in tests/_support.
    bad = re.compile(r"^\s*(from conftest import|import conftest|sys\.path\.(insert|append))", re.M)
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "tests").rglob("*.py")
        if bad.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_test_modules_have_unique_names() -> None:
    # pytest imports test modules by basename (rootdir mode): two `test_store.py` in different
    # folders stop the whole run at collection ("import file mismatch").
    names: dict[str, list[str]] = {}
    for p in (ROOT / "tests").rglob("test_*.py"):
        names.setdefault(p.name, []).append(str(p.relative_to(ROOT)))
    assert {n: ps for n, ps in names.items() if len(ps) > 1} == {}
