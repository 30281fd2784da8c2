"""The wheel that `pipx install .` builds holds every module of every room (a package left out
of pyproject's package list would install a gamio that fails on its first import)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_wheel_holds_every_module(tmp_path: Path) -> None:
    source = tmp_path / "source"  # a copy: building writes build/ beside the sources
    shutil.copytree(REPO / "gamio_cli", source / "gamio_cli",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=300,
    )
    [wheel] = tmp_path.glob("gamio-*.whl")
    packed = {name for name in zipfile.ZipFile(wheel).namelist() if name.endswith(".py")}
    sources = {path.relative_to(REPO).as_posix() for path in (REPO / "gamio_cli").rglob("*.py")}
    assert sources and sources <= packed
    data = {path.relative_to(REPO).as_posix() for path in (REPO / "gamio_cli").rglob("*.toml")}
    names = set(zipfile.ZipFile(wheel).namelist())
    assert data and data <= names  # the model catalogue is read at run time
    assert not [name for name in packed if name.startswith("tests/")]
