"""`files.write_atomically`: the old content or the new, never half, and nothing left behind."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from boligsocial.files import write_atomically


def test_new_content_replaces_the_old(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"old")
    write_atomically(path, b"new")
    assert path.read_bytes() == b"new"
    write_atomically(path, lambda stream: stream.write(b"streamed"))
    assert path.read_bytes() == b"streamed"
    assert list(tmp_path.iterdir()) == [path]


def test_a_failed_check_keeps_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "noegletal.csv"
    path.write_bytes(b"old")
    seen: list[Path] = []

    def refuse(temporary: Path) -> None:
        seen.append(temporary)
        assert temporary.read_bytes() == b"new"
        raise ValueError("not what was meant")

    with pytest.raises(ValueError):
        write_atomically(path, b"new", verify=refuse)
    assert path.read_bytes() == b"old"
    assert seen[0].suffix == ".csv"  # readers that go by the suffix can read the temporary file
    assert list(tmp_path.iterdir()) == [path]


def test_a_missing_folder_is_an_error_unless_asked_to_create_it(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        write_atomically(tmp_path / "mangler" / "a.txt", b"x")
    assert list(tmp_path.iterdir()) == []
    write_atomically(tmp_path / "ny" / "a.txt", b"x", create_folder=True)
    assert (tmp_path / "ny" / "a.txt").read_bytes() == b"x"


def test_keep_mode_keeps_the_permission_bits(tmp_path: Path) -> None:
    path = tmp_path / "helhedsplan.toml"
    path.write_bytes(b"old")
    path.chmod(0o600)
    write_atomically(path, b"new", keep_mode=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
