"""The import graph of the five packages (docs/architecture.md §2: layers point inward): no cycle anywhere, lazy
imports and ``TYPE_CHECKING`` imports included, each layer imports only the layers inside it, and the demo history
stays out of the production command path."""

from __future__ import annotations

import graphlib

import grimp
import pytest

PACKAGES = ("domain", "application", "projections", "infrastructure", "api")
INSIDE: dict[str, set[str]] = {
    "domain": set(),
    "application": {"domain"},
    "projections": {"domain", "application"},
    "infrastructure": {"domain", "application", "projections"},
    "api": {"domain", "application", "projections", "infrastructure"},
}
"""What each layer may import besides itself: ``api`` is the composition layer, ``domain`` imports nothing of ours."""


@pytest.fixture(scope="module")
def imports() -> dict[str, set[str]]:
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    return {module: graph.find_modules_directly_imported_by(module) for module in graph.modules}


def cycle(imports: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``imports`` (a module, what it imports, … back to the module), or None."""
    try:
        graphlib.TopologicalSorter(imports).prepare()
    except graphlib.CycleError as error:
        return list(error.args[1])
    return None


def layer(module: str) -> str:
    return module.split(".", 1)[0]


def test_the_cycle_finder_finds_a_cycle_and_only_a_cycle() -> None:
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) is not None
    assert cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_the_graph_holds_every_package_and_a_lazy_import(imports: dict[str, set[str]]) -> None:
    assert {layer(m) for m in imports} == set(PACKAGES)
    assert "api.bootstrap" in imports["api.cli.audit"]  # imported inside a function: still an edge


def test_there_is_no_import_cycle(imports: dict[str, set[str]]) -> None:
    assert cycle(imports) is None


def test_layers_point_inward(imports: dict[str, set[str]]) -> None:
    outward = sorted(f"{module} imports {target}" for module, targets in imports.items() for target in targets
                     if layer(target) != layer(module) and layer(target) not in INSIDE[layer(module)])
    assert outward == []


def test_only_the_command_line_loads_the_demo(imports: dict[str, set[str]]) -> None:
    users = {module for module, targets in imports.items() if not module.startswith("api.demo")
             for target in targets if target == "api.demo" or target.startswith("api.demo.")}
    assert users == {"api.cli.demo", "api.cli.serve"}


def test_a_read_model_reads_only_its_own_tables() -> None:
    """What a read model shows of another (a unit's name, who a department supervises, what was done under a plan)
    it asks that one's query object for (docs/DEVELOPING.md, "Read models"): no module of ``projections/`` holds a
    table of another module, nor a lightweight ``sqlalchemy.table(...)`` stand-in for one."""
    import importlib
    import pkgutil

    from sqlalchemy import Table
    from sqlalchemy.sql.expression import TableClause

    import projections

    owner: dict[str, str] = {}
    modules = [importlib.import_module(m.name) for m in pkgutil.iter_modules(projections.__path__, "projections.")]
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, Table) and value.metadata is getattr(module, "METADATA", None):
                owner[value.name] = module.__name__
    for module in modules:
        for name, value in vars(module).items():
            if isinstance(value, Table):
                mine = owner.get(value.name) == module.__name__
                assert mine, f"{module.__name__}.{name} is {owner.get(value.name)}'s"
            elif isinstance(value, TableClause):
                raise AssertionError(f"{module.__name__}.{name} stands in for the table {value.name} of another module")
