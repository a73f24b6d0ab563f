"""The type stubs match the native module, in the manner of mypy's stubtest: every name,
class, method and property the stub declares exists at runtime with the same kind and
parameters, and every public runtime name is declared; and each record class declares its
properties in the order of its fields, the keys of its `to_dict()`."""

from __future__ import annotations

import ast
import builtins
import inspect
import os
import sqlite3
import tempfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import build_county

import wangge
import wangge._native as native

STUB_PATH = Path(native.__file__).with_name("_native.pyi")
STUB = ast.parse(STUB_PATH.read_text(encoding="utf-8"))

# Dunder methods that give the classes behaviour worth typing; the stub must declare the
# ones a class defines at runtime, and may not declare ones it lacks.
BEHAVIOUR_DUNDERS = {"__bool__", "__enter__", "__exit__", "__eq__", "__hash__"}


def is_public(name: str) -> bool:
    return not name.startswith("_")


def stub_classes() -> dict[str, ast.ClassDef]:
    return {n.name: n for n in STUB.body if isinstance(n, ast.ClassDef)}


def stub_module_names() -> set[str]:
    names = set(stub_classes())
    for node in STUB.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    # Private aliases and type variables of the stub are not runtime names.
    return {n for n in names if is_public(n) or n == "__version__"}


def is_property(node: ast.FunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id == "property" for d in node.decorator_list)


def stub_members(cls: ast.ClassDef) -> dict[str, ast.FunctionDef | ast.AnnAssign]:
    members: dict[str, ast.FunctionDef | ast.AnnAssign] = {}
    for node in cls.body:
        if isinstance(node, ast.FunctionDef):
            members[node.name] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            members[node.target.id] = node
    return members


def runtime_public_names() -> set[str]:
    return {n for n in dir(native) if is_public(n)} | {"__version__"}


def native_classes() -> list[str]:
    return sorted(n for n in runtime_public_names() if inspect.isclass(getattr(native, n)))


def stub_parameters(func: ast.FunctionDef) -> list[tuple[str, object]]:
    """(name, default or inspect.Parameter.empty) for every parameter but self/cls."""
    args = func.args
    positional = args.posonlyargs + args.args
    defaults: list[object] = [inspect.Parameter.empty] * (
        len(positional) - len(args.defaults)
    ) + [ast.literal_eval(d) for d in args.defaults]
    params = list(zip((a.arg for a in positional), defaults))
    params += [
        (a.arg, inspect.Parameter.empty if d is None else ast.literal_eval(d))
        for a, d in zip(args.kwonlyargs, args.kw_defaults)
    ]
    return [p for p in params if p[0] not in ("self", "cls")]


def runtime_parameters(obj) -> list[tuple[str, object]]:
    params = inspect.signature(obj).parameters.values()
    return [(p.name, p.default) for p in params if p.name not in ("self", "cls")]


def test_the_stub_ships_next_to_the_module_with_the_typed_marker():
    assert STUB_PATH.is_file()
    assert (STUB_PATH.parent / "py.typed").is_file()


def test_every_name_in_the_stub_exists_at_runtime_and_every_public_name_is_in_the_stub():
    assert stub_module_names() == runtime_public_names()


def test_the_stubs_all_lists_what_the_module_exports():
    declared = next(
        node.value
        for node in STUB.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
    )
    assert sorted(ast.literal_eval(declared)) == sorted(native.__all__)


def test_the_package_re_exports_the_whole_native_module():
    assert set(wangge.__all__) == runtime_public_names()
    for name in wangge.__all__:
        assert getattr(wangge, name) is getattr(native, name)
    assert wangge.__version__ == native.__version__
    assert wangge.__version__.count(".") == 2


def test_module_constants_have_the_stubs_declared_type():
    for node in STUB.body:
        if not (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)):
            continue
        name = node.target.id
        if not (is_public(name) or name == "__version__"):
            continue
        annotation = node.annotation
        outer = annotation.value if isinstance(annotation, ast.Subscript) else annotation
        assert isinstance(outer, ast.Name), name
        assert isinstance(getattr(native, name), getattr(builtins, outer.id)), name


@pytest.mark.parametrize("name", native_classes())
def test_each_classs_bases_match_the_stub(name):
    stub = stub_classes()[name]
    # A generic base (`list[_T]`) is its class; `Generic[...]` and the like are not bases.
    stub_bases = [
        b.value.id if isinstance(b, ast.Subscript) and isinstance(b.value, ast.Name) else b.id
        for b in stub.bases
        if isinstance(b, ast.Name)
        or (isinstance(b, ast.Subscript) and isinstance(b.value, ast.Name) and b.value.id != "Generic")
    ]
    runtime_bases = [b.__name__ for b in getattr(native, name).__bases__]
    assert stub_bases == ([] if runtime_bases == ["object"] else runtime_bases)


@pytest.mark.parametrize("name", native_classes())
def test_each_stub_member_exists_at_runtime_with_the_same_kind(name):
    runtime = getattr(native, name)
    for member, node in stub_members(stub_classes()[name]).items():
        assert hasattr(runtime, member), f"{name}.{member} is in the stub only"
        attribute = inspect.getattr_static(runtime, member)
        if member == "__new__":
            continue
        if isinstance(node, ast.AnnAssign) or is_property(node):
            assert inspect.isdatadescriptor(attribute), f"{name}.{member} is not a property"
        else:
            assert callable(attribute), f"{name}.{member} is not a method"
            assert not inspect.isdatadescriptor(attribute), f"{name}.{member} is a property"


@pytest.mark.parametrize("name", native_classes())
def test_each_public_runtime_member_is_in_the_stub(name):
    runtime = getattr(native, name)
    stub = set(stub_members(stub_classes()[name]))
    own = set(vars(runtime))
    missing = {m for m in own if is_public(m) or m in BEHAVIOUR_DUNDERS} - stub
    assert missing == set(), f"{name} lacks stubs for {sorted(missing)}"


@pytest.mark.parametrize("name", native_classes())
def test_each_method_has_the_stubs_parameters_and_defaults(name):
    runtime = getattr(native, name)
    for member, node in stub_members(stub_classes()[name]).items():
        if not isinstance(node, ast.FunctionDef) or is_property(node):
            continue
        if member == "__new__":
            assert runtime_parameters(runtime) == stub_parameters(node)
        elif is_public(member):
            assert runtime_parameters(getattr(runtime, member)) == stub_parameters(node), (
                f"{name}.{member}"
            )


def test_every_stub_function_is_fully_annotated():
    unannotated = []
    for node in ast.walk(STUB):
        if not isinstance(node, ast.FunctionDef):
            continue
        args = node.args
        every = args.posonlyargs + args.args + args.kwonlyargs
        for i, arg in enumerate(every):
            first = i == 0 and arg.arg in ("self", "cls")
            if arg.annotation is None and not first:
                unannotated.append(f"{node.name}({arg.arg})")
        if node.returns is None:
            unannotated.append(f"{node.name} -> ?")
    assert unannotated == []


def test_the_stub_imports_nothing_outside_the_standard_library():
    modules = set()
    for node in ast.walk(STUB):
        if isinstance(node, ast.ImportFrom):
            modules.add((node.module or "").split(".")[0])
        elif isinstance(node, ast.Import):
            modules.update(a.name.split(".")[0] for a in node.names)
    assert modules <= {"os", "collections", "datetime", "types", "typing"}


# Classes with a `to_dict()` that is a JSON view of a core result, not a list of fields.
JSON_VIEWS = {"Report", "Circular", "Assessment"}

# The record classes: their `to_dict()` holds their fields, as the getters give them.
RECORDS = sorted(
    n for n in native_classes() if "to_dict" in vars(getattr(native, n)) and n not in JSON_VIEWS
)


def stub_properties(name: str) -> list[str]:
    """The properties the stub declares for class `name`, in the stub's order."""
    return [
        member
        for member, node in stub_members(stub_classes()[name]).items()
        if isinstance(node, ast.AnnAssign) or is_property(node)
    ]


@pytest.fixture(scope="module")
def samples():
    """One value of every record class, made through the Store as a user would."""
    grid = "512021100001001"
    moment = datetime(2024, 3, 4, 9, tzinfo=timezone(timedelta(hours=8)))
    with wangge.Store(":memory:") as store:
        build_county(store)
        staff = store.add_staff("W1", "网格员甲", "13812345678")
        assignment = store.assign("W1", grid, "grid_worker")
        household = store.add_household("H1", grid, "北坝路1号", kind="floating")
        resident = store.add_resident("H1", "张三", "11010519491231002X")
        section = store.set_archive_section("H1", wangge.ARCHIVE_SECTIONS[0], {"a": 1})
        imported = store.import_households([{"household_id": "H2", "unit": grid, "name": "李四"}])
        visit = store.record_visit("H1", "W1", "home", date(2024, 3, 4), "见面")
        finding = store.record_finding(visit.visit_id, "路灯坏了")
        patrol = store.record_patrol(grid, "W1", moment)
        entry = store.register(grid, "市政设施", "路灯坏了", moment)
        classification = store.classify("市政设施", "路灯坏了", unit=grid)
        total, _ = store.unit_counts(grid, date(2024, 3, 4))
        values = [
            store.unit(grid),
            staff,
            assignment,
            household,
            resident,
            store.tag_kinds()[0],
            total,
            section,
            store.archive("H1"),
            imported,
            visit,
            store.due_visits(grid, date(2025, 1, 15))[0],
            store.reverification_due(grid, date(2024, 5, 15))[0],
            patrol,
            finding,
            entry,
            store.history(entry.id)[0],
            classification,
            classification.reasons[0],
            store.piles(grid, "2024-W10"),
            store.audit_log()[0],
            store.verify_audit(),
            store.info(),
        ]
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "store.db")
        with wangge.Store(path) as store:
            build_county(store)
        conn = sqlite3.connect(path)
        conn.execute("UPDATE unit SET name = '改名' WHERE code = ?", (grid,))
        conn.commit()
        conn.close()
        with wangge.Store(path) as store:
            values.append(store.verify_audit().problems[0])
            store.add_staff("W1", "网格员甲")
            store.assign("W1", grid, "grid_worker", "2024-01-01")
            store.add_household("H1", grid, "北坝路1号", start="2024-01-01")
            device = os.path.join(folder, "device.db")
            checkout = store.checkout(grid, "W1", device)
            with wangge.Store(device) as dev:
                dev.record_visit("H1", "W1", "home", date(2024, 3, 4))
            store.withdraw_checkout(checkout.device_id)
            merged = store.merge(device)
            values.extend([checkout, merged, merged.conflicts[0]])
    return {type(v).__name__: v for v in values}


def test_every_record_class_has_a_sample(samples):
    assert set(samples) == set(RECORDS)


@pytest.mark.parametrize("name", RECORDS)
def test_each_records_stub_properties_are_its_fields_in_order(name, samples):
    assert stub_properties(name) == list(samples[name].to_dict())
