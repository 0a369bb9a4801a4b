"""Fingerprints of what a page is made from: a page is rendered again exactly when its changes.

A page's template sees only its own context (no global look-ups), so fingerprinting the
whole context covers everything the template can read; nothing is declared by hand.

The model's dataclasses are frozen, so each one's fingerprint is worked out once and kept on
the object: an action shown on five pages is hashed once, and the preview, which keeps
unchanged areas in memory between saves, never hashes them again. Within one `Fingerprinter`
a list or dict shared by many pages (an area's glossary, say) is hashed once too.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

_CACHED = "_fingerprint"
_SCALARS = frozenset({str, bytes, int, float, bool, type(None)})
_FIELDS: dict[type, tuple[str, ...]] = {}


class Fingerprinter:
    """Digests values deeply: two values with equal contents give equal digests."""

    def __init__(self) -> None:
        self._shared: dict[int, tuple[Any, bytes]] = {}  # id -> (the value, kept alive; its digest)

    def __call__(self, *values: Any) -> str:
        return hashlib.sha256(b"\x00".join(self._digest(v) for v in values)).hexdigest()

    def _digest(self, value: Any) -> bytes:
        kind = type(value)
        if kind in _SCALARS:
            return repr(value).encode()  # repr escapes the separators used below
        if kind in (tuple, list, dict):
            shared = self._shared.get(id(value))
            if shared is not None and shared[0] is value:
                return shared[1]
            if kind is dict:
                items = b"\x01".join(self._digest(k) + b"\x02" + self._digest(v) for k, v in value.items())
                digest = b"{" + hashlib.sha256(items).digest() + b"}"
            else:
                digest = b"[" + hashlib.sha256(b"\x01".join(self._digest(v) for v in value)).digest() + b"]"
            self._shared[id(value)] = (value, digest)
            return digest
        names = _FIELDS.get(kind)
        if names is None and dataclasses.is_dataclass(kind):
            names = _FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))
        if names is not None:
            cached = value.__dict__.get(_CACHED)
            if cached is None:
                parts = [kind.__qualname__.encode()]
                for name in names:
                    field = getattr(value, name)
                    parts.append(repr(field).encode() if type(field) in _SCALARS else self._digest(field))
                cached = hashlib.sha256(b"\x00".join(parts)).digest()
                if kind.__dataclass_params__.frozen:  # a frozen object cannot change, so neither can this
                    value.__dict__[_CACHED] = cached
            return cached
        raise TypeError(f"cannot fingerprint a {kind.__name__}: pass plain data or dataclasses to pages")


def fingerprint(*values: Any) -> str:
    """A hex digest of the values, deep."""
    return Fingerprinter()(*values)
