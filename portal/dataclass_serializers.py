"""DRF serializers derived from dataclasses: a shape's fields are declared once, on the dataclass,
and its JSON (and its OpenAPI schema) follows them.

    ServerRowSerializer = dataclass_serializer(
        ServerRow,
        exclude=("link_data",),
        computed={"memory_gb": serializers.FloatField(), "links": serializer_for(Link)(many=True)},
        after={"group_name": "group_id", "memory_gb": "memory_mb"},
    )

It imports no app (a shared helper below them all). Fields map by type: ``str`` -> CharField, ``int``,
``float``, ``bool``, ``datetime``, ``Any``/``dict`` -> JSONField, ``X | None`` -> ``allow_null``, ``tuple[X, ...]`` -> a list, another dataclass -> its
own serializer (built once and reused, so it is one component of the schema; ``tuple["Self", ...]``
nests to any depth). A field's ``metadata`` may give its ``help`` (the schema's help text) and its
``source`` (an attribute to show instead, e.g. a link's ``allowed_verbs`` for its ``verbs``). ``computed``
adds read-only values (properties) by name; ``overrides`` replaces a derived field; ``after`` puts a
name right after another (``None``: first), so the JSON keeps the order clients have seen. ``only``
derives a projection (a few fields of a related entity, e.g. a node's server): just those, in the
shape's order, and not registered (the shape's own serializer stays the one others nest).

``plain=True`` writes ``to_representation`` as a flat copy of the values (tuples become lists,
nested dataclasses go through their serializer, ``IsoDateTimeField`` values are ``isoformat()``ed;
``getters`` for anything else), for shapes listed by the thousand: DRF's field-by-field path costs
several times more per row. ``plain(serializer,
getters)`` does the same for a serializer declared by hand (e.g. over a model's rows), in the order of
its declared fields.
"""

import dataclasses
import datetime
import types
import typing
from collections.abc import Callable

from rest_framework import serializers

_BUILT: dict[type, type[serializers.Serializer]] = {}


class IsoDateTimeField(serializers.DateTimeField):
    """A date-time as Python writes it (``2026-01-05T10:00:00.123456+00:00``), what the activity and
    audit APIs have answered since v1 (DRF's own field writes ``Z`` for ``+00:00``). ``plain``
    serializers write it the same way."""

    def to_representation(self, value):
        return value.isoformat()


def register(shape: type, serializer: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """Use ``serializer`` wherever a derived serializer meets ``shape``."""
    _BUILT[shape] = serializer
    return serializer


_SCALARS: dict[type, type[serializers.Field]] = {
    str: serializers.CharField,
    bool: serializers.BooleanField,
    int: serializers.IntegerField,
    float: serializers.FloatField,
    datetime.datetime: serializers.DateTimeField,
}


def serializer_for(shape: type) -> type[serializers.Serializer]:
    """The serializer of a dataclass: the registered one, else one derived with the defaults."""
    if shape not in _BUILT:
        dataclass_serializer(shape)
    return _BUILT[shape]


def _optional(hint) -> tuple[object, bool]:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1 and len(args) < len(typing.get_args(hint)):
            return args[0], True
    return hint, False


def _item_type(hint):
    """``X`` of ``tuple[X, ...]`` / ``list[X]``, else None."""
    if typing.get_origin(hint) in (tuple, list):
        args = [a for a in typing.get_args(hint) if a is not Ellipsis]
        return args[0] if args else typing.Any
    return None


def _field(hint, owner: type, **kwargs) -> serializers.Field | None:
    """A DRF field for a type hint (None: the owner itself, nested; filled in once it exists)."""
    hint, nullable = _optional(hint)
    if nullable:
        kwargs["allow_null"] = True
    item = _item_type(hint)
    if item is not None:
        if item is owner:
            return None
        if dataclasses.is_dataclass(item):
            return serializer_for(item)(many=True, **kwargs)
        return serializers.ListField(child=_field(item, owner), **kwargs)
    if hint is owner:
        return None
    if dataclasses.is_dataclass(hint):
        return serializer_for(hint)(**kwargs)
    if hint in _SCALARS:
        return _SCALARS[hint](**kwargs)
    if hint is typing.Any:
        return serializers.JSONField(**{"allow_null": True, **kwargs})
    if hint is dict or typing.get_origin(hint) is dict:
        return serializers.JSONField(**kwargs)
    raise TypeError(f"{owner.__name__}: no serializer field for {hint!r}; pass it in overrides")


def _ordered(names: list[str], after: dict[str, str | None]) -> list[str]:
    order = [n for n in names if n not in after]
    for name, anchor in after.items():
        order.insert(0 if anchor is None else order.index(anchor) + 1, name)
    return order


def _plain_value(
    name: str, field: serializers.Field, getters: dict[str, Callable]
) -> tuple[str, Callable | None]:
    """How ``plain`` writes one value: an expression over ``obj``, or a function to call."""
    if name in getters:
        return "", getters[name]
    source = field.source if field.source and field.source != "*" else name
    if not source.isidentifier():
        raise ValueError(f"plain serializers read attributes; {source!r} is not one")
    if isinstance(field, serializers.ListSerializer):
        child = field.child
        return "", lambda obj: [child.to_representation(item) for item in getattr(obj, source)]
    if isinstance(field, serializers.Serializer):
        return "", lambda obj: None if (value := getattr(obj, source)) is None else field.to_representation(
            value
        )
    if isinstance(field, serializers.ListField):
        return f"list(obj.{source})", None
    if isinstance(field, IsoDateTimeField):
        return f"(None if obj.{source} is None else obj.{source}.isoformat())", None
    return f"obj.{source}", None


def dataclass_serializer(
    shape: type,
    name: str | None = None,
    *,
    exclude: tuple[str, ...] = (),
    only: tuple[str, ...] | None = None,
    computed: dict[str, serializers.Field] | None = None,
    overrides: dict[str, serializers.Field] | None = None,
    after: dict[str, str | None] | None = None,
    plain: bool = False,
    getters: dict[str, Callable] | None = None,
) -> type[serializers.Serializer]:
    """A read-only serializer of ``shape``'s fields (see the module's docstring); registered for
    ``shape`` (unless ``only`` makes it a projection), so other derived serializers nest this one."""
    hints = typing.get_type_hints(shape)
    overrides = overrides or {}
    fields = dataclasses.fields(shape)
    if only is not None and (unknown := set(only) - {f.name for f in fields}):
        raise TypeError(f"{shape.__name__} has no field {', '.join(sorted(unknown))}")
    declared: dict[str, serializers.Field | None] = {}
    for f in fields:
        if f.name in exclude or (only is not None and f.name not in only):
            continue
        if f.name in overrides:
            declared[f.name] = overrides[f.name]
            continue
        options = {
            k: f.metadata[m] for k, m in (("help_text", "help"), ("source", "source")) if m in f.metadata
        }
        declared[f.name] = _field(hints[f.name], shape, **options)
    declared.update(computed or {})
    order = _ordered(list(declared), after or {})
    attrs = {n: field for n, field in declared.items() if field is not None}
    serializer = type(name or f"{shape.__name__}Serializer", (serializers.Serializer,), dict(attrs))
    if only is None:
        register(shape, serializer)
    for n in order:  # the shape contains itself (a tree): DRF needs the class before it can nest it
        if declared[n] is None:
            attrs[n] = serializer(many=True)
    # DRF orders declared fields by when each was created; the JSON follows ``order`` instead.
    serializer._declared_fields = {n: attrs[n] for n in order}
    if plain:
        _make_plain(serializer, order, getters or {})
    return serializer


def plain(
    serializer: type[serializers.Serializer], getters: dict[str, Callable] | None = None
) -> type[serializers.Serializer]:
    """``plain=True`` for a serializer declared by hand: its ``to_representation`` compiled from its
    declared fields, in their order (``getters`` for a value that is not a copy of an attribute).
    Returns the serializer."""
    _make_plain(serializer, list(serializer._declared_fields), getters or {})
    return serializer


def _make_plain(serializer: type[serializers.Serializer], order: list[str], getters: dict[str, Callable]):
    """``to_representation`` as one dict display (``{"id": obj.id, ...}``), compiled once: as quick
    as one written by hand, which is what it replaces for the thousand-row lists."""
    if unknown := set(getters) - set(order):
        raise TypeError(f"{serializer.__name__} has no field {', '.join(sorted(unknown))} to get")
    template = serializer()
    calls: list[Callable] = []
    items = []
    for n in order:
        expression, call = _plain_value(n, template.fields[n], getters)
        if call is not None:
            expression = f"calls[{len(calls)}](obj)"
            calls.append(call)
        items.append(f"{n!r}: {expression}")
    code = "def to_representation(self, obj):\n    return {" + ", ".join(items) + "}\n"
    namespace: dict = {"calls": calls}
    exec(compile(code, f"<plain {serializer.__name__}>", "exec"), namespace)
    serializer.to_representation = namespace["to_representation"]
