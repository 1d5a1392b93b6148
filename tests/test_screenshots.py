"""The README's pictures (docs/screenshots/) stay true: each is the committed snapshot of a
snapshot test's scene, byte for byte, and scripts/screenshots.py makes them so.

Compared by content (a clone's file times mean nothing). Fast: files only, no app run.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load_script():
    spec = importlib.util.spec_from_file_location("screenshots", ROOT / "scripts/screenshots.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


shots = load_script()


@pytest.mark.parametrize("name", list(shots.SHOTS))
def test_each_picture_is_the_snapshot_it_mirrors(name):
    picture = ROOT / "docs/screenshots" / name
    source = ROOT / "tests/__snapshots__" / shots.SHOTS[name]
    assert source.is_file(), f"{source} is gone: point SHOTS in scripts/screenshots.py at it"
    assert picture.is_file(), f"docs/screenshots/{name} is missing: run `{shots.COMMAND}`"
    assert picture.read_bytes() == source.read_bytes(), (
        f"docs/screenshots/{name} is older than its snapshot "
        f"tests/__snapshots__/{shots.SHOTS[name]}: run `{shots.COMMAND}`"
    )


def test_no_picture_outlives_its_snapshot():
    pictures = {p.name for p in (ROOT / "docs/screenshots").glob("*.svg")}
    assert pictures == set(shots.SHOTS), f"run `{shots.COMMAND}`"


def test_readme_shows_every_picture():
    readme = (ROOT / "README.md").read_text()
    for name in shots.SHOTS:
        assert f"](docs/screenshots/{name})" in readme, name


def test_the_pictures_are_80x24_screens_of_the_app():
    """The size README promises, and the app's own title on each."""
    for source in shots.SHOTS.values():
        svg = (ROOT / "tests/__snapshots__" / source).read_text()
        # Rich's export: 80 cells of 12.2 px and 24 lines of 24.4 px, with its margins.
        assert svg.startswith('<svg class="rich-terminal" viewBox="0 0 994 635.59'), source
        assert ">oss-cdn</text>" in svg, source


def test_the_script_writes_the_committed_pictures_and_removes_stale_ones(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setattr(shots, "PICTURES", tmp_path)  # the project's folder of pictures
    stale = tmp_path / "old-screen.svg"
    stale.write_text("<svg/>")
    assert shots.main(["--out", str(tmp_path)]) == 0
    written = {p.name: p.read_bytes() for p in tmp_path.glob("*.svg")}
    committed = {p.name: p.read_bytes() for p in (ROOT / "docs/screenshots").glob("*.svg")}
    assert written == committed
    assert "updated old-screen.svg" in capsys.readouterr().out
    # A second run finds nothing to change.
    assert shots.main(["--out", str(tmp_path)]) == 0
    assert "none changed" in capsys.readouterr().out


def test_another_folder_keeps_the_pictures_that_are_not_ours(tmp_path):
    theirs = tmp_path / "holiday.svg"
    theirs.write_text("<svg/>")
    assert shots.main(["--out", str(tmp_path)]) == 0
    assert theirs.read_text() == "<svg/>"
    assert (tmp_path / "domain-list.svg").read_bytes() == (
        ROOT / "docs/screenshots/domain-list.svg"
    ).read_bytes()


def test_check_names_what_is_out_of_date_and_how_to_fix_it(tmp_path, capsys):
    shutil.copytree(ROOT / "docs/screenshots", tmp_path, dirs_exist_ok=True)
    assert shots.main(["--check", "--out", str(tmp_path)]) == 0

    (tmp_path / "checklist.svg").write_bytes(b"<svg>an older screen</svg>")
    (tmp_path / "delivery.svg").unlink()
    (tmp_path / "old-screen.svg").write_text("<svg/>")
    assert shots.main(["--check", "--out", str(tmp_path)]) == 1
    said = capsys.readouterr().out
    assert "checklist.svg: differs from tests/__snapshots__/test_snapshots/" in said
    assert "delivery.svg: missing" in said
    assert "old-screen.svg: no snapshot behind it" in said
    assert "run `python scripts/screenshots.py`" in said
    assert (tmp_path / "checklist.svg").read_bytes() == b"<svg>an older screen</svg>"  # untouched
