"""The exception classes: one per core error kind, under wangge.Error, and picklable."""

from __future__ import annotations

import pickle

import pytest

import wangge

KINDS = [
    wangge.NotFound,
    wangge.InvalidInput,
    wangge.InvalidTransition,
    wangge.Conflict,
    wangge.PermissionDenied,
    wangge.StorageError,
]


def test_the_base_error_is_an_exception():
    assert issubclass(wangge.Error, Exception)
    assert wangge.Error.__module__ == "wangge._native"


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_every_kind_is_a_direct_subclass_of_wangge_error(kind):
    assert issubclass(kind, wangge.Error)
    assert issubclass(kind, Exception)
    assert kind.__bases__ == (wangge.Error,)
    assert kind.__module__ == "wangge._native"
    assert kind.__doc__


def test_the_kinds_are_distinct_classes():
    assert len(set(KINDS)) == len(KINDS)
    for kind in KINDS:
        for other in KINDS:
            if other is not kind:
                assert not issubclass(kind, other)


@pytest.mark.parametrize("kind", [wangge.Error, *KINDS], ids=lambda k: k.__name__)
def test_every_exception_class_pickles_with_its_message(kind):
    original = kind("unit not found: 512099")
    copy = pickle.loads(pickle.dumps(original))
    assert type(copy) is kind
    assert str(copy) == "unit not found: 512099"
    assert copy.args == original.args


def test_an_exception_raised_by_the_library_pickles(county):
    with pytest.raises(wangge.NotFound) as caught:
        county.unit("512021999")
    copy = pickle.loads(pickle.dumps(caught.value))
    assert type(copy) is wangge.NotFound
    assert str(copy) == str(caught.value) == "unit not found: 512021999"


def test_messages_are_the_core_errors_text_naming_field_and_value(county):
    with pytest.raises(wangge.InvalidInput) as caught:
        county.add_unit("51202", "x", "county")
    assert str(caught.value) == 'invalid code "51202": a county code has exactly 6 digits'
    with pytest.raises(wangge.Conflict) as caught:
        county.add_unit("512021", "x", "county")
    assert str(caught.value) == "conflict: unit code 512021 already exists"


def test_a_library_error_can_be_caught_as_wangge_error(county):
    with pytest.raises(wangge.Error):
        county.unit("512021999")
    with pytest.raises(wangge.Error):
        county.scope("512021100", "镇").unit("512021")
