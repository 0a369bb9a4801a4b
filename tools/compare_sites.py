"""`python tools/compare_sites.py A B`: exit 1, naming the files, unless two built sites are the same
byte for byte (the Check workflow compares the Windows and macOS builds with the Linux one)."""

from __future__ import annotations

import sys
from pathlib import Path


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def differences(a: Path, b: Path) -> list[str]:
    one, other = files(a), files(b)
    return sorted(name for name in one.keys() | other.keys() if one.get(name) != other.get(name))


if __name__ == "__main__":
    differ = differences(Path(sys.argv[1]), Path(sys.argv[2]))
    for name in differ[:50]:
        print(f"differs: {name}")
    print(f"{len(differ)} files differ" if differ else "the sites are the same")
    sys.exit(1 if differ else 0)
