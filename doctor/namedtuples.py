"""Named tuples that cost little to define: the doctor's plain records.

`typing.NamedTuple` turns the annotation of each field into a ForwardRef and compiles it (every
annotation is a string under `from __future__ import annotations`, which the doctor's modules
use): about a quarter of a millisecond a class, paid before any check starts, and a run that
reads code defines a dozen more. `collections.namedtuple` never evaluates an annotation, but it
still compiles a `__new__` for each class (`eval` of a lambda): 130 µs of a class's 190.

`@named_tuple` builds the same class from the same body with no compiling at all, in about a
sixth of typing's time: the behaviour every record shares (`__new__`, `_make`, `_replace`,
`_asdict`, `__repr__`, pickling) is written once, in `Record`, and each class adds only its
fields, as the same C accessors `collections.namedtuple` uses. The fields are the annotated
names, in order, with their defaults; methods, properties and the docstring are kept, and the
annotations stay as written, for readers and their tools. Building a record from all its
fields in order, the common case, costs one short check more than a namedtuple's `__new__`.

    @named_tuple
    class Position:
        line: int
        column: int | None = None
"""

from __future__ import annotations

from typing import Any, ClassVar, Iterable, TypeVar

try:
    from _collections import _tuplegetter  # the field accessor collections.namedtuple itself uses
except ImportError:  # another Python than CPython: the same, in Python
    from operator import itemgetter

    def _tuplegetter(index: int, doc: str) -> Any:  # type: ignore[misc]
        return property(itemgetter(index), doc=doc)

T = TypeVar("T", bound=type)
_NOT_COPIED = frozenset({"__dict__", "__weakref__"})


class Record(tuple):  # type: ignore[type-arg]
    """What every record built by @named_tuple shares, as collections.namedtuple defines it."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _field_defaults: ClassVar[dict[str, Any]] = {}

    def __new__(cls, *args: Any, **named: Any) -> Any:
        if named or len(args) != len(cls._fields):
            args = cls._bound(args, named)
        return tuple.__new__(cls, args)

    @classmethod
    def _bound(cls, args: tuple[Any, ...], named: dict[str, Any]) -> tuple[Any, ...]:
        """The fields' values from a call with names or defaults, refused as a function's call would be."""
        fields, name = cls._fields, cls.__name__
        if len(args) > len(fields):
            raise TypeError(f"{name}() takes {len(fields)} positional arguments but {len(args)} were given")
        values = list(args)
        for field in fields[len(args):]:
            if field in named:
                values.append(named.pop(field))
            elif field in cls._field_defaults:
                values.append(cls._field_defaults[field])
            else:
                raise TypeError(f"{name}() missing required argument: '{field}'")
        for extra in named:
            why = "got multiple values for argument" if extra in fields else "got an unexpected keyword argument"
            raise TypeError(f"{name}() {why} '{extra}'")
        return tuple(values)

    @classmethod
    def _make(cls, iterable: Iterable[Any]) -> Any:
        values = tuple(iterable)
        if len(values) != len(cls._fields):
            raise TypeError(f"Expected {len(cls._fields)} arguments, got {len(values)}")
        return tuple.__new__(cls, values)

    def _replace(self, **changes: Any) -> Any:
        values = self._make(map(changes.pop, self._fields, self))
        if changes:
            raise ValueError(f"Got unexpected field names: {list(changes)!r}")
        return values

    def _asdict(self) -> dict[str, Any]:
        return dict(zip(self._fields, self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{f}={v!r}' for f, v in zip(self._fields, self))})"

    def __getnewargs__(self) -> tuple[Any, ...]:
        return tuple(self)


def named_tuple(cls: T) -> T:
    """The named tuple `cls`'s body describes (see the module's docstring)."""
    own = cls.__dict__
    fields = tuple(own.get("__annotations__", {}))
    defaults = {name: own[name] for name in fields if name in own}
    if fields[len(fields) - len(defaults):] != tuple(defaults):
        raise TypeError(f"{cls.__qualname__}: a field without a default follows one with a default")
    body = {key: value for key, value in own.items() if key not in fields and key not in _NOT_COPIED}
    body.update({name: _tuplegetter(index, f"Alias for field number {index}") for index, name in enumerate(fields)})
    body.update(__slots__=(), __qualname__=cls.__qualname__, __match_args__=fields, _fields=fields,
                _field_defaults=defaults)
    return type(cls.__name__, (Record,), body)  # type: ignore[return-value]
