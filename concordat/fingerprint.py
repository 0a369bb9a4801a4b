"""Fingerprints of what a page is made from: a page is rendered again exactly when its changes.

A page's template sees only its own context (no global look-ups), so fingerprinting the
whole context covers everything the template can read; nothing is declared by hand.

The model's dataclasses are frozen, so each one's fingerprint is worked out once and kept on
the object: an action shown on five pages is hashed once, and the preview, which keeps
unchanged areas in memory between saves, never hashes them again.
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

_CACHED = "_fingerprint"
_SCALARS = (str, bytes, int, float, bool, type(None))


def fingerprint(*values: Any) -> str:
    """A hex digest of the values, deep: two values with equal contents give equal digests."""
    return hashlib.sha256(b"\x00".join(_digest(v) for v in values)).hexdigest()


def _digest(value: Any) -> bytes:
    if isinstance(value, _SCALARS):
        return repr(value).encode()  # repr escapes the separators used below
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cached = value.__dict__.get(_CACHED)
        if cached is not None:
            return cached
        parts = [type(value).__qualname__.encode()]
        parts += [_digest(getattr(value, f.name)) for f in dataclasses.fields(value)]
        digest = hashlib.sha256(b"\x00".join(parts)).digest()
        if value.__dataclass_params__.frozen:  # a frozen object cannot change, so neither can this
            value.__dict__[_CACHED] = digest
        return digest
    if isinstance(value, (tuple, list)):
        return b"[" + hashlib.sha256(b"\x01".join(_digest(v) for v in value)).digest() + b"]"
    if isinstance(value, dict):
        items = b"\x01".join(_digest(k) + b"\x02" + _digest(v) for k, v in value.items())
        return b"{" + hashlib.sha256(items).digest() + b"}"
    raise TypeError(f"cannot fingerprint a {type(value).__name__}: pass plain data or dataclasses to pages")
