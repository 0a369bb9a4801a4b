"""The per-commit cache: what was learnt from each commit, kept as JSON inside the repository's
git folder, keyed by commit id and by this code. A commit never changes, so a new commit costs only
its own diff; a cache file that is damaged, or was written by other code, is worked out again.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

from ..model import STATUS_LABELS
from . import git


def folder(cache: Path) -> Path:
    """The cache's folder for this code: what is learnt from a commit depends on how it is read."""
    here = Path(__file__).parent
    digest = hashlib.sha256()
    read_by = ("model", "model_from_content", "dates", "names", "load", "schema_check", "yaml_reading")
    for source in [*sorted(here.glob("*.py")), *(here.parent / f"{name}.py" for name in read_by),
                   here.parent / "schemas" / "area.schema.json"]:
        digest.update(source.read_bytes())
    return cache / f"v{digest.hexdigest()[:16]}"


def cached(cache: Path, sha: str) -> dict | None:
    """A commit's cached record, if there is one of the right shape (a damaged file is worked out again)."""
    try:
        record = json.loads((cache / f"{sha}.json").read_text(encoding="utf-8"))
        check_shape(record)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return record if record["id"] == sha else None


def store(cache: Path, record: dict) -> None:
    if not git.is_id(record["id"]):
        return
    try:
        cache.mkdir(parents=True, exist_ok=True)
        temporary = cache / f".{record['id']}.tmp"
        temporary.write_text(json.dumps(record, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        temporary.replace(cache / f"{record['id']}.json")
    except OSError:
        pass  # a read-only repository: the history is still right, only not kept


def forget_other_versions(cache: Path) -> None:
    """Delete what older code learnt: it is never read again."""
    try:
        for old in cache.parent.iterdir():
            if old != cache and re.fullmatch(r"v[0-9a-f]{16}|[0-9a-f]{40,64}\.v1\.json", old.name):
                shutil.rmtree(old) if old.is_dir() and not old.is_symlink() else old.unlink()
    except OSError:
        pass


def check_shape(record: dict) -> None:
    """Raise TypeError or KeyError unless `record` has the shape `records.learn` writes (a cache file
    may be damaged)."""
    def need(value, kind):
        if not isinstance(value, kind):
            raise TypeError(f"{value!r} is not {kind}")
        return value
    need(record, dict)
    for key in ("id", "timestamp", "subject"):
        need(record[key], str)
    if not git.is_id(record["id"]) or not re.fullmatch(r"\d{4}-\d\d-\d\dT.+", record["timestamp"]):
        raise TypeError("not a commit id and date")
    need(record["correction"], bool)
    for area in need(record["areas"], list):
        for key in ("slug", "name", "kind"):
            need(area[key], str)
        need(area["action_count"], int)
        for key in ("other", "ids"):
            [need(x, str) for x in need(area.get(key, []), list)]
        need(area.get("reason", ""), str)
        need(area.get("renamed_from", ""), str)
        for action in need(area["actions"], list):
            for key in ("id", "label", "kind"):
                need(action[key], str)
            for key in ("status_from", "status_to"):
                if need(action.get(key, ""), str) and action[key] not in STATUS_LABELS:
                    raise TypeError("unknown status")
            for key in ("leads", "updates", "other"):
                [need(x, str) for x in need(action.get(key, []), list)]
            for name, parts in need(action.get("texts", []), list):
                need(name, str)
                for op, text in need(parts, list):
                    if op not in ("=", "+", "-"):
                        raise TypeError("unknown diff part")
                    need(text, str)
    for sha, trailer in need(record.get("merged", []), list):
        need(sha, str)
        need(trailer, bool)
