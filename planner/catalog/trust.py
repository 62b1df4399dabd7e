"""Snapshot CSVs already hashed: a record that lets an unchanged file skip its sha256 next time.

The loader hashes a CSV against ``manifest.json`` whenever the CSV looks changed since its
columnar copy was written (a newer modification time) — after a git checkout or a package
install, that is every CSV written after its copy, on every start (~10 MB for
``compute_rates.csv``). Once a CSV hashes to the manifest's sha256, :class:`HashRecord` notes the
file's identity with that sha256:

    device, inode, size [bytes], modification and change times [ns]

and a later load skips the hash only when the file has exactly that identity *and* the manifest
still expects the recorded sha256. Writing to a file updates its change time, which no
user-level call can set back (``touch`` and ``os.utime`` set it to now), and replacing or copying
a file gives another inode, so an edited file is always hashed again and a mismatch still stops
the load. A file changed less than :data:`RACY_NS` before it was hashed is not recorded: an edit
inside the same clock tick could keep both times (git's "racily clean" problem).

The record is a JSON file in the user's cache folder, never beside the snapshot (the snapshot
folder may be read-only, and refresh/rollback compare its files): ``$PLANNER_CACHE_DIR``, else
``$XDG_CACHE_HOME/ml-cost-planner``, else ``~/.cache/ml-cost-planner``. It only saves time: a
missing, unreadable, corrupt or unwritable record means the files are hashed, as without it.
Only on POSIX systems, where the change time is the inode's (elsewhere it is the creation time).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

CACHE_DIR_ENV = "PLANNER_CACHE_DIR"
"""Environment variable naming the folder the record is kept in."""
RECORD_FILE = "verified-csv-sha256.json"
RECORD_VERSION = 1
MAX_FILES = 64
"""Most files remembered (the oldest entries are dropped first)."""
RACY_NS = 2_000_000_000
"""A file changed less than this before it was hashed is not recorded [ns]."""
ENABLED = os.name == "posix"


def record_path() -> Path | None:
    """Where the record is kept (see the module text); None when there is no such folder (no
    home folder to put it in)."""
    folder = os.environ.get(CACHE_DIR_ENV)
    if folder:
        return Path(folder) / RECORD_FILE
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError):
            return None
    path = Path(base)
    return path / "ml-cost-planner" / RECORD_FILE if path.is_absolute() else None


def _identity(stat: os.stat_result) -> dict[str, int]:
    return {
        "dev": stat.st_dev, "ino": stat.st_ino, "size_bytes": stat.st_size,
        "mtime_ns": stat.st_mtime_ns, "ctime_ns": stat.st_ctime_ns,
    }


def _now_ns() -> int:
    return time.time_ns()


class HashRecord:
    """The record, read once per catalog load and written back (atomically) if it changed."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else record_path()
        self._enabled = ENABLED and self.path is not None
        self._files: dict[str, dict[str, Any]] = self._read() if self._enabled else {}
        self._changed = False

    def _read(self) -> dict[str, dict[str, Any]]:
        assert self.path is not None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != RECORD_VERSION:
            return {}
        files = data.get("files")
        if not isinstance(files, dict):
            return {}
        return {k: v for k, v in files.items() if isinstance(v, dict)}

    def verified(self, file: Path, sha256: str, stat: os.stat_result) -> bool:
        """True when ``file`` (whose current ``stat`` is given) was hashed to ``sha256`` and has
        not changed since."""
        entry = self._files.get(str(file.absolute()))
        return (
            self._enabled and isinstance(sha256, str) and entry is not None
            and entry.get("sha256") == sha256 and entry.get("identity") == _identity(stat)
        )

    def remember(self, file: Path, sha256: str, before: os.stat_result) -> None:
        """Note that ``file`` hashed to ``sha256``; ``before`` is its stat taken before it was
        read. Not noted when it changed while being read, or changed too recently."""
        if not self._enabled:
            return
        try:
            after = file.stat()
        except OSError:
            return
        identity = _identity(before)
        newest_ns = max(before.st_mtime_ns, before.st_ctime_ns)
        if _identity(after) != identity or _now_ns() - newest_ns < RACY_NS:
            return
        key = str(file.absolute())
        self._files.pop(key, None)
        self._files[key] = {"sha256": sha256, "identity": identity}
        self._changed = True

    def save(self) -> None:
        """Write the record back if it changed: stale entries and the oldest beyond
        :data:`MAX_FILES` dropped; any failure is ignored (the files are hashed next time)."""
        if not self._changed or self.path is None:
            return
        import tempfile

        files = {k: v for k, v in self._files.items() if Path(k).exists()}
        files = dict(list(files.items())[-MAX_FILES:])
        text = json.dumps({"version": RECORD_VERSION, "files": files}, indent=1)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=".record-", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    out.write(text)
                os.replace(temp, self.path)
            except BaseException:
                Path(temp).unlink(missing_ok=True)
                raise
        except OSError:
            return
        self._changed = False
