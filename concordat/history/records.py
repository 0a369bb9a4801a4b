"""Each commit's record of what it did to the plans: from the cache, else worked out from git.

Working it out means reading both versions of each changed area file through the same checks as
the file at HEAD (`changes.read_version`); each version is read once, by blob id.
"""

from __future__ import annotations

from pathlib import Path

from ..model import Area
from ..names import is_slug
from ..yaml_reading import MAX_FILE_BYTES
from . import cache, git
from .changes import area_change, plain, read_version

CHUNK = 200  # commits whose files are read from git at once (bounds the memory a long history takes)


def read_records(root: Path, prefix: str, content: str, folder: Path) -> list[dict]:
    """Each commit's record, newest first: from the cache, else worked out (a chunk of commits at a time)."""
    commits = git.changed_files(root, "HEAD", content=content)
    records: list[dict | None] = []
    todo = []
    for sha, files in commits:
        record = cache.cached(folder, sha)
        records.append(record)
        if record is None:
            todo.append((len(records) - 1, sha, files))
    learnt = False
    for start in range(0, len(todo), CHUNK):
        chunk = todo[start:start + CHUNK]
        for (at, _, _), record in zip(chunk, learn(root, prefix, content, chunk), strict=True):
            records[at] = record
            if record is not None:
                cache.store(folder, record)
                learnt = True
    if learnt:
        cache.forget_other_versions(folder)
    return [r for r in records if r is not None]


def learn(root: Path, prefix: str, content: str, commits: list[tuple[int, str, list[git.FileChange]]]
          ) -> list[dict | None]:
    """Work out what each commit did to the area files: its message from its commit object, both
    versions of each area file by blob id, each version read (and checked) once."""
    areas_folder = f"{prefix}{content}/areas/"

    def is_area(path: str) -> bool:
        """A plan's file: content/areas/<slug>.yaml (any other name is no plan's, at HEAD or ever)."""
        name = path[len(areas_folder):]
        return path.startswith(areas_folder) and name.endswith(".yaml") and is_slug(name.removesuffix(".yaml"))

    infos = git.objects(root, [sha for _, sha, _ in commits])
    blobs_wanted = [b for _, _, files in commits for f in files
                    for b, p in ((f.before_blob, f.before_path), (f.after_blob, f.after_path)) if b and is_area(p)]
    blobs = git.objects(root, blobs_wanted, max_bytes=MAX_FILE_BYTES)
    versions: dict[tuple[str, str], Area | str] = {}

    def version(blob: str | None, path: str) -> Area | str | None:
        if blob is None or not is_area(path):
            return None
        shown = path[len(prefix):]
        if (blob, shown) not in versions:
            raw = blobs.get(blob)
            if raw is None:
                versions[blob, shown] = f"{shown}: git could not give this version"
            elif isinstance(raw, int):
                versions[blob, shown] = (f"{shown}: file is too large ({raw // 1024} KiB; "
                                         f"the limit is {MAX_FILE_BYTES // 1024} KiB)")
            else:
                versions[blob, shown] = read_version(raw, shown)
        return versions[blob, shown]

    records: list[dict | None] = []
    for _, sha, files in commits:
        raw = infos.get(sha)
        try:
            info = git.parse_commit(sha, raw) if isinstance(raw, bytes) else None
        except git.GitError:
            info = None
        if info is None:
            records.append(None)  # not a commit git can describe: left out of the history
            continue
        areas = []
        for f in files:
            before, after = version(f.before_blob, f.before_path), version(f.after_blob, f.after_path)
            renamed = f.before_path[len(prefix):] if (f.before_path != f.after_path and is_area(f.before_path)
                                                      and is_area(f.after_path)) else ""
            change = area_change(before, after, f.after_path[len(prefix):], renamed)
            if change:
                areas.append(change)
        record = {"id": sha, "timestamp": info.timestamp, "subject": plain(info.subject),
                  "correction": info.correction, "areas": sorted(areas, key=lambda a: a["slug"])}
        if info.merge and areas:
            record["merged"] = _merged(root, sha, content)
        records.append(record)
    return records


def _merged(root: Path, merge: str, content: str) -> list[list]:
    """The commits a merge brought in, each [id, whether its own message marks it a correction]."""
    ids = git.merged_commits(root, merge, content)
    found = git.objects(root, ids)
    merged = []
    for sha in ids:
        try:
            raw = found.get(sha)
            merged.append([sha, isinstance(raw, bytes) and git.parse_commit(sha, raw).correction])
        except git.GitError:
            merged.append([sha, False])
    return merged
