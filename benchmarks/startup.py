"""Goal 1: start-up through a real pty, as a user sees it.

Alternated runs (bare app, app, SDK import, bare app, app, ...) of:
- the bare Textual app (benchmarks/bare_app.py): its first paint;
- `python -m tui --sandbox`: its first frame (the header), the header saying SANDBOX,
  and the domain list painted with its rows (a sandbox of its own, in-process);
- `import alibabacloud_cdn20180510.client` alone, in a fresh interpreter.
The floor is the bare app's first paint plus the SDK import. Bytecode is compiled once
first (`compileall`), as an install leaves it.
"""

from __future__ import annotations

import compileall
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.measure import Figure, Runs, figure_of, ms
from benchmarks.terminal import column_filled, run_until, shows

ROOT = Path(__file__).resolve().parents[1]
SDK_IMPORT = (
    "import time; t = time.perf_counter(); import alibabacloud_cdn20180510.client; "
    "print(time.perf_counter() - t)"
)


def compile_once() -> None:
    for folder in ("tui", "screens", "benchmarks"):
        compileall.compile_dir(str(ROOT / folder), quiet=1)


def sdk_import() -> float:
    out = subprocess.run(
        [sys.executable, "-c", SDK_IMPORT], check=True, capture_output=True, text=True
    )
    return float(out.stdout.strip())


def run(quick: bool = False) -> list[Figure]:
    compile_once()
    rounds = 3 if quick else 7
    bare, first, sandbox, cnames, imports = Runs(), Runs(), Runs(), Runs(), Runs()
    app_import = Runs()  # `import tui.app`, a whole process
    fallback = Runs()  # no --sandbox, no credentials: the app falls back to the sandbox
    floor = Runs()
    with tempfile.TemporaryDirectory() as runtime:
        os.chmod(runtime, 0o700)
        # A runtime directory of its own: no shared sandbox (`oss-cdn sandbox serve`)
        # is found, so the app starts its own, in-process, as a first-time user's does.
        env = {"OSS_CDN_RUNTIME_DIR": runtime}
        # No credentials anywhere (a home of its own, no ALIBABA_CLOUD_* variables):
        # without --sandbox the app falls back to the sandbox, as for a first-time user.
        bare_env = {**env, "HOME": runtime, "XDG_CONFIG_HOME": runtime}
        for variable in list(os.environ):
            if variable.startswith(("ALIBABA_CLOUD_", "ALICLOUD_")):
                bare_env[variable] = None  # unset
        sdk_import()  # its bytecode, once
        for _ in range(rounds):
            bare_seen = run_until(
                [sys.executable, str(ROOT / "benchmarks" / "bare_app.py")],
                {"paint": shows("bare-reference")},
                env,
            )
            app_seen = run_until(
                [sys.executable, "-m", "tui", "--sandbox"],
                {
                    "frame": shows("oss-cdn"),
                    "sandbox": shows("SANDBOX"),
                    # The rows, read with their CNAMEs (DescribeUserDomains): at 80 columns
                    # the CNAME column lies to the right, so the first column is watched.
                    "cnames": column_filled("Domain"),
                },
                env,
            )
            imported = sdk_import()
            plain_seen = run_until(
                [sys.executable, "-m", "tui"], {"sandbox": shows("SANDBOX")}, bare_env
            )
            fallback.add(ms(plain_seen["sandbox"]))
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", "import tui.app"], check=True, cwd=ROOT)
            app_import.add(ms(time.perf_counter() - start))
            bare.add(ms(bare_seen["paint"]))
            imports.add(ms(imported))
            floor.add(ms(bare_seen["paint"] + imported))
            first.add(ms(app_seen["frame"]))
            sandbox.add(ms(app_seen["sandbox"]))
            cnames.add(ms(app_seen["cnames"]))
    return [
        figure_of(
            "1",
            "start-up: domain list painted",
            cnames,
            floor,
            "floor (bare paint + SDK import)",
            goal="ratio",
            bound=1.3,
        ),
        figure_of(
            "1",
            "start-up: header says SANDBOX",
            sandbox,
            bare,
            "bare app first paint",
            goal="ratio",
            bound=1.2,
            note="--sandbox: the first frame should already say SANDBOX",
        ),
        figure_of(
            "1",
            "start-up without --sandbox: SANDBOX shown",
            fallback,
            floor,
            "floor (bare paint + SDK import)",
            goal="ratio",
            bound=1.1,
            note="no credentials found: the app falls back to its own sandbox",
        ),
        figure_of(
            "1",
            "start-up: first frame",
            first,
            bare,
            "bare app first paint",
            goal="ratio",
            bound=1.2,
        ),
        figure_of("-", "SDK client import alone", imports, note="part of the floor"),
        figure_of("-", "python -c 'import tui.app' (whole process)", app_import),
    ]
