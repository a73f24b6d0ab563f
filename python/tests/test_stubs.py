"""The type stubs match the native module, in the manner of mypy's stubtest: every name,
class, method and property the stub declares exists at runtime with the same kind and
parameters, and every public runtime name is declared."""

from __future__ import annotations

import ast
import builtins
import inspect
from pathlib import Path

import pytest

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
    stub_bases = [b.id for b in stub.bases if isinstance(b, ast.Name)]
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
