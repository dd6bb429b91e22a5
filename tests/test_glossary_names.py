"""One meaning per class name (GLOSSARY.md: "do not give two classes the same name in different
apps (a second `Category` or `Review` is a new word: qualify it)").

The scan reads the source, it imports nothing: every top-level public class of the models
(`models.py`, `models_*.py`, a `models/` package) and of the pure modules (those that import no
Django, ninja, pydantic or rules, and from gongzhi only other pure modules: the same set as the
"pure" contract of .importlinter, found here by reading the imports so the two cannot drift).

Two rules:
- a class name is defined in one app only. Inside one app a pure module and a model may mirror one
  concept under one name (elevators' `Tier`, renewals' `SubsidyRule`: the rule as data and the rule
  stored); a pure class that means something else gets its own name (renewals.funding's inputs are
  `FundingInputs`, not a second `FundingPlan`);
- no class bears a name the glossary retired.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "gongzhi"

# Names the glossary retired: `Quote` is `Offer`, `Flat` is `Apartment`, `Unit` is `Entrance` (of a
# building) or `Organisation` (talent), `Pool` is `TalentPool`, `Job` is `ScheduleJob` (and
# renewals.funding's `SubsidyJob`), and a plain `Category`, `Review` or `Delivery` is qualified
# (`SuggestionCategory`, `EntryCategory`, `PoolCategory`; `AgreementReview`, `RerankReview`;
# spaces' `Fulfilment` beside the `delivery` app).
RETIRED = frozenset({"Unit", "Pool", "Quote", "Flat", "Job", "Category", "Review", "Delivery"})

FORBIDDEN_IMPORTS = frozenset({"django", "ninja", "pydantic", "rules"})


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts and "__pycache__" not in path.parts
    }


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every module `name` imports, anywhere in the file (import-linter counts those in functions too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in modules else base)
    return found


def pure_modules() -> set[str]:
    """Modules with no framework import whose gongzhi imports are all pure (a fixed point)."""
    modules = _modules()
    imports = {name: _imports(name, path, modules) for name, path in modules.items()}
    pure = {name for name, found in imports.items() if not any(m.split(".")[0] in FORBIDDEN_IMPORTS for m in found)}
    while True:
        impure = {name for name in pure if any(m.startswith("gongzhi") and m not in pure for m in imports[name])}
        if not impure:
            return pure
        pure -= impure


def _is_models(path: Path) -> bool:
    return path.name.startswith("models") or path.parent.name == "models"


def class_names() -> dict[str, dict[str, list[str]]]:
    """name → app → files (relative to src/gongzhi) of the scanned modules that define it."""
    pure = pure_modules()
    found: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for name, path in sorted(_modules().items()):
        if not (_is_models(path) or name in pure):
            continue
        relative = path.relative_to(PACKAGE)
        app = relative.parts[0]
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                found[node.name][app].append(relative.as_posix())
    return found


def test_the_scan_sees_models_and_pure_modules() -> None:
    pure = pure_modules()
    assert {"gongzhi.motions.thresholds", "gongzhi.renewals.funding", "gongzhi.delivery.scheduling"} <= pure
    assert "gongzhi.motions.models" not in pure
    names = class_names()
    assert names["SuggestionCategory"] == {"suggestions": ["suggestions/models.py"]}
    assert names["FundingInputs"] == {"renewals": ["renewals/funding.py"]}
    assert "Cadre" in names  # talent's models package is scanned too


def test_no_class_name_in_two_apps() -> None:
    shared = {name: dict(apps) for name, apps in class_names().items() if len(apps) > 1}
    assert not shared, f"qualify these class names (GLOSSARY.md, one name per class): {shared}"


def test_no_class_bears_a_retired_name() -> None:
    retired = {name: dict(apps) for name, apps in class_names().items() if name in RETIRED}
    assert not retired, f"names the glossary retired: {retired}"
