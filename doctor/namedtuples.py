"""Named tuples that cost little to define: the doctor's plain records.

`typing.NamedTuple` turns the annotation of each field into a ForwardRef and compiles it (every
annotation is a string under `from __future__ import annotations`, which the doctor's modules
use): about a quarter of a millisecond a class, paid before any check starts. `@named_tuple`
builds the same class from the same body with `collections.namedtuple` and never evaluates an
annotation, in about 60% of that time: some 5 ms less of every run, for the doctor's 46. The fields are the
annotated names, in order, with their defaults; methods, properties and the docstring are kept,
and the annotations stay as written, for readers and their tools.

    @named_tuple
    class Position:
        line: int
        column: int | None = None
"""

from __future__ import annotations

from collections import namedtuple
from typing import TypeVar

T = TypeVar("T", bound=type)
_NOT_COPIED = frozenset({"__dict__", "__weakref__"})


def named_tuple(cls: T) -> T:
    """The named tuple `cls`'s body describes (see the module's docstring)."""
    own = cls.__dict__
    fields = tuple(own.get("__annotations__", {}))
    defaults = [own[name] for name in fields if name in own]
    if fields[len(fields) - len(defaults):] != tuple(name for name in fields if name in own):
        raise TypeError(f"{cls.__qualname__}: a field without a default follows one with a default")
    base = namedtuple(cls.__name__, fields, defaults=defaults, module=cls.__module__)  # noqa: PYI024 - see above
    body = {key: value for key, value in own.items() if key not in fields and key not in _NOT_COPIED}
    return type(cls.__name__, (base,), {**body, "__slots__": ()})  # type: ignore[return-value]
