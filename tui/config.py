"""Where the user's configuration lives: $XDG_CONFIG_HOME/oss-cdn, else ~/.config/oss-cdn."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


def config_dir(environ: Mapping[str, str] = os.environ) -> Path:
    base = environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "oss-cdn"
