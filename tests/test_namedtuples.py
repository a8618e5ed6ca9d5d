"""@named_tuple gives the class typing.NamedTuple would, from the same body, without evaluating an annotation."""

from __future__ import annotations

import pickle
import re
from typing import NamedTuple

import pytest

from doctor.namedtuples import named_tuple


@named_tuple
class Place:
    """Where something is."""

    file: str
    line: int | None = None
    column: NotDefinedAnywhere | None = None  # noqa: F821 - never evaluated

    @property
    def label(self) -> str:
        return f"{self.file}:{self.line}"

    def moved(self, lines: int) -> Place:
        return self._replace(line=(self.line or 0) + lines)


class Typed(NamedTuple):
    file: str
    line: int | None = None
    column: int | None = None


def test_it_behaves_as_the_typing_named_tuple_of_the_same_body():
    place, typed = Place("a.py", 3), Typed("a.py", 3)
    assert tuple(place) == tuple(typed) and place == typed and hash(place) == hash(typed)
    assert Place._fields == Typed._fields and Place._field_defaults == Typed._field_defaults
    assert repr(place) == "Place(file='a.py', line=3, column=None)"
    assert place._asdict() == typed._asdict() and Place._make(["b", 1, 2]) == ("b", 1, 2)
    assert Place(file="x", column=4) == ("x", None, 4)
    with pytest.raises(TypeError):
        Place()
    with pytest.raises(AttributeError):
        place.file = "b.py"
    with pytest.raises(AttributeError):
        place.other = 1  # no __dict__: as light as a plain tuple
    assert Place.file.__doc__ == Typed.file.__doc__ and Place.__match_args__ == Typed.__match_args__
    match place:
        case Place(file, line):
            assert (file, line) == ("a.py", 3)


@pytest.mark.parametrize("call", [
    lambda cls: cls(), lambda cls: cls("a", 1, 2, 3), lambda cls: cls("a", file="b"), lambda cls: cls("a", size=1),
    lambda cls: cls(line=1), lambda cls: cls._make(["a"]), lambda cls: cls("a")._replace(size=1),
], ids=["none", "too-many", "twice", "unknown", "missing", "make-short", "replace-unknown"])
def test_a_wrong_call_is_refused_as_the_typing_named_tuple_refuses_it(call):
    with pytest.raises(Exception) as typed:
        call(Typed)
    with pytest.raises(type(typed.value)) as ours:
        call(Place)
    named = re.findall(r"'(\w+)'", str(typed.value))  # the field or argument at fault, in the same words
    assert re.findall(r"'(\w+)'", str(ours.value)) == named


def test_its_methods_docstring_names_and_annotations_are_kept_and_it_pickles():
    place = Place("a.py", 3)
    assert place.label == "a.py:3" and place.moved(2) == Place("a.py", 5) and type(place.moved(2)) is Place
    assert Place.__doc__ == "Where something is." and Place.__name__ == "Place" and Place.__qualname__ == "Place"
    assert Place.__module__ == __name__ and Place.__annotations__["column"] == "NotDefinedAnywhere | None"
    assert pickle.loads(pickle.dumps(place)) == place


def test_a_field_without_a_default_after_one_with_a_default_is_refused_as_typing_refuses_it():
    with pytest.raises(TypeError, match="without a default follows"):
        @named_tuple
        class Wrong:
            first: int = 0
            second: int
