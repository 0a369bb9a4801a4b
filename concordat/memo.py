"""Results worked out from one object that does not change, kept on the object itself.

The preview keeps each unchanged file's Document and Area between saves, so whatever is
kept on them (an area's share of the national counts, its validation) is worked out again
only for the file that was saved. A build makes every object afresh, so it computes each once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def kept(owner: Any, name: str, argument: Any, compute: Callable[[Any, Any], T]) -> T:
    """compute(owner, argument), kept on `owner` under `name` while the argument stays equal.

    The owner must not change after it is made (a frozen dataclass, or a loaded Document);
    the argument is whatever else the result depends on, compared by equality."""
    held = owner.__dict__.get(name)
    if held is None or held[0] != argument:
        held = owner.__dict__[name] = (argument, compute(owner, argument))
    return held[1]
