"""Install a new snapshot folder in place of the current one, keeping one backup.

A refresh writes the new snapshot to a staging folder next to the current one (same file system),
validates it with :func:`planner.catalog.load_catalog` (the loader the app uses), and only then
swaps the two folders. On Linux the swap is one ``renameat2(RENAME_EXCHANGE)`` system call, atomic:
a reader sees either the old or the new folder, never a mix. Elsewhere it falls back to two renames
(old → aside, new → in place), undoing the first if the second fails.

After the swap the previous snapshot becomes the backup ``.<name>.backup`` beside the data folder
(one backup; an older one is deleted). :func:`rollback` swaps the backup back in, so a rollback can
itself be rolled back.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from planner.catalog.loader import load_catalog
from planner.errors import CatalogError, RefreshError

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def backup_dir(data_dir: Path) -> Path:
    """Where the previous snapshot of ``data_dir`` is kept: ``.<name>.backup`` beside it."""
    return data_dir.with_name(f".{data_dir.name}.backup")


def download_dir(data_dir: Path) -> Path:
    """Where a public refresh keeps the price-list files it downloads: ``.<name>.downloads``
    beside the data folder, kept after a failure (a retry resumes), deleted after a success."""
    return data_dir.with_name(f".{data_dir.name}.downloads")


@contextmanager
def exclusive(data_dir: Path) -> Iterator[None]:
    """Lock the folder that holds ``data_dir`` so only one refresh or rollback runs at a time.

    An advisory ``flock`` on the parent folder itself (the data folder is swapped, its parent is
    not): no lock file is left behind, and the kernel drops the lock when the process ends, so a
    crashed refresh never leaves the snapshot locked.
    """
    if data_dir.exists() and not data_dir.is_dir():
        raise RefreshError(f"{data_dir} is a file, not a snapshot folder")
    try:
        fd = os.open(data_dir.parent, os.O_RDONLY)
    except OSError as exc:
        raise RefreshError(
            f"cannot use {data_dir.parent} for the snapshot ({exc.strerror or type(exc).__name__})"
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RefreshError(
                f"another refresh or rollback of {data_dir} is running; wait for it to finish"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def staging_dir(data_dir: Path) -> Path:
    """A new, empty folder beside ``data_dir`` to write a snapshot into."""
    return Path(tempfile.mkdtemp(prefix=f".{data_dir.name}.refresh-", dir=data_dir.parent))


def _renameat2_exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux ≥ 3.15, glibc ≥ 2.28); False if unsupported."""
    name = ctypes.util.find_library("c")
    if not name:
        return False
    libc = ctypes.CDLL(name, use_errno=True)
    func = getattr(libc, "renameat2", None)
    if func is None:
        return False
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    if func(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: file system or kernel lacks it
        return False
    raise OSError(errno, os.strerror(errno), str(a))


def exchange(a: Path, b: Path) -> None:
    """Swap the folders at ``a`` and ``b`` (atomically where the OS allows)."""
    if _renameat2_exchange(a, b):
        return
    aside = a.with_name(a.name + ".swap")
    os.rename(a, aside)
    try:
        os.rename(b, a)
    except OSError:
        os.rename(aside, a)
        raise
    os.rename(aside, b)


def validate(folder: Path) -> None:
    """Load ``folder`` with the app's loader; RefreshError naming the broken rule if it fails."""
    try:
        load_catalog(folder)
    except CatalogError as exc:
        raise RefreshError(
            f"the refreshed snapshot failed validation ({exc}); the current snapshot was left unchanged"
        ) from None


def install(staging: Path, data_dir: Path) -> Path:
    """Validate ``staging`` and swap it in for ``data_dir``; return the backup folder."""
    validate(staging)
    backup = backup_dir(data_dir)
    try:
        exchange(staging, data_dir)
    except OSError as exc:
        raise RefreshError(
            f"could not swap the new snapshot into {data_dir} ({exc.strerror}); the current "
            "snapshot was left unchanged"
        ) from None
    # ``staging`` now holds the previous snapshot: it becomes the one backup. The new snapshot is
    # already in place, so a failure here only leaves the backup under the staging name.
    try:
        if backup.exists():
            shutil.rmtree(backup)
        os.rename(staging, backup)
    except OSError:
        return staging
    return backup


def rollback(data_dir: Path) -> Path:
    """Put the backup snapshot back in place of ``data_dir``; return where the replaced one went.

    The replaced snapshot becomes the backup, so calling rollback again undoes the rollback.
    """
    backup = backup_dir(data_dir)
    if not backup.is_dir():
        raise RefreshError(f"no backup snapshot at {backup}; nothing to roll back to")
    try:
        load_catalog(backup)
    except CatalogError as exc:
        raise RefreshError(
            f"the backup snapshot at {backup} is not valid ({exc}); rollback refused"
        ) from None
    try:
        exchange(backup, data_dir)
    except OSError as exc:
        raise RefreshError(f"could not swap the backup into {data_dir} ({exc.strerror})") from None
    return backup
