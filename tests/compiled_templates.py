"""Jinja compiles each template once per test session, not once per build.

Every build makes a new Jinja environment, and compiling the templates is most of the time a
small build takes (about 1.3 s of 1.7 s for the example area). Most tests build a copy of the
real templates in a folder of their own, so the cache is keyed by the template's name and
source, not its path; a template whose text differs (a test that edits one) is compiled anew.
What the pages say is unchanged: the cache holds Jinja's own compiled code, as Jinja's
`FileSystemBytecodeCache` does, and each template keeps its own file name in tracebacks.
"""

from __future__ import annotations

import marshal
import types

from jinja2 import Environment
from jinja2.bccache import Bucket, BytecodeCache


def _with_filename(code: types.CodeType, filename: str) -> types.CodeType:
    """The code, and the functions defined in it, as if compiled from `filename`."""
    consts = tuple(_with_filename(c, filename) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


class CompiledTemplates(BytecodeCache):
    """Compiled templates in memory, keyed by (name, checksum of the source)."""

    def __init__(self) -> None:
        self._code: dict[tuple[str, str], bytes] = {}
        self._filename: dict[str, str | None] = {}

    def get_bucket(self, environment: Environment, name: str, filename: str | None, source: str) -> Bucket:
        self._filename[name] = filename
        return super().get_bucket(environment, name, filename, source)

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return name

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get((bucket.key, bucket.checksum))
        if code is not None:
            filename = self._filename.get(bucket.key)
            bucket.code = _with_filename(marshal.loads(code), filename) if filename else marshal.loads(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[(bucket.key, bucket.checksum)] = marshal.dumps(bucket.code)


def cached(make_environment, cache: CompiledTemplates):
    """`make_environment`, whose environments share `cache` and load every template at once, so
    that forked render workers inherit them compiled."""
    def make(*args, **kwargs) -> Environment:
        env = make_environment(*args, **kwargs)
        env.bytecode_cache = cache
        for name in env.list_templates(filter_func=lambda name: not name.startswith("assets/")):
            try:
                env.get_template(name)
            except Exception:  # noqa: BLE001 - a broken template fails where the build renders it, as before
                pass
        return env
    return make
