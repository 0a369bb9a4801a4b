"""One cache for results worked out from an object that does not change.

The preview keeps each unchanged file's Document and Area between saves, so whatever is
derived from one of them (an area's share of the national counts, its validation, its open
data) is worked out again only for the file that was saved. A build makes every object afresh,
so it computes each once.

A result is keyed by everything it is computed from, and nothing is named by hand: the function,
the object and the other inputs, which are the function's only arguments. The function must be
one defined at module level (not a lambda or a closure), so it can see nothing else.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

# id(owner) -> (a weak reference to it, {function: (inputs, result)}); an owner's results go with it.
_RESULTS: dict[int, tuple[weakref.ref, dict[Callable, tuple[Any, Any]]]] = {}


def derived(compute: Callable[[Any, Any], T], owner: Any, inputs: Any = None) -> T:
    """compute(owner, inputs), worked out again only when owner is another object or inputs
    differ (by equality) from the last time. owner must not change after it is made (a frozen
    dataclass, or a loaded Document)."""
    if compute.__name__ == "<lambda>" or getattr(compute, "__closure__", None):
        raise TypeError(f"{compute.__qualname__}: a cached result must be computed by a module-level "
                        "function of its arguments alone")
    key = id(owner)
    entry = _RESULTS.get(key)
    if entry is None or entry[0]() is not owner:
        entry = _RESULTS[key] = (weakref.ref(owner, _forget(key)), {})
    held = entry[1].get(compute)
    if held is None or held[0] != inputs:
        held = entry[1][compute] = (inputs, compute(owner, inputs))
    return held[1]


def _forget(key: int) -> Callable[[weakref.ref], None]:
    def forget(reference: weakref.ref) -> None:
        entry = _RESULTS.get(key)
        if entry is not None and entry[0] is reference:
            del _RESULTS[key]
    return forget
