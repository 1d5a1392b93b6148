"""An SDK's `models` package, each class imported when first asked for.

The generated tea SDKs (alibabacloud_cdn20180510, alibabacloud_alidns20150109) import
every model in `models/__init__.py`: ~530 modules for CDN (70-100 ms of CPU at start,
before the first listing), where the app asks for a dozen. Their `__init__.py` is a
list of `from ._module import ClassName` lines, so the class -> module table is read
from that file, and `models.ClassName` imports its one module on first use (PEP 562:
a module-level `__getattr__`). The client, and each model module, reach the others
through `from <sdk> import models as main_models`, which is this same module object.

The guard: if `__init__.py` holds anything but those lines, or a module it names is not
there, the lazy form is not used at all; if a class is then not found where the table
says (or a name is not in the table), the real `__init__.py` is run into the same
module object — the normal import, late — and everything works as without this module.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

# The lines a generated models/__init__.py is made of; anything else: not lazy.
_IMPORT = re.compile(r"from \.(?P<module>_\w+) import (?P<name>\w+)")
_ALLOWED = re.compile(r"(#.*|from __future__ import annotations|__all__ = \[|\s+\w+,?|\]|)")


class LayoutChanged(Exception):
    """The SDK's models package is not laid out as this module expects."""


def model_table(init_text: str) -> dict[str, str]:
    """{class name: submodule} from a generated models/__init__.py, or LayoutChanged."""
    table: dict[str, str] = {}
    for line in init_text.splitlines():
        found = _IMPORT.fullmatch(line.rstrip())
        if found:
            table[found["name"]] = found["module"]
        elif not _ALLOWED.fullmatch(line.rstrip()):
            raise LayoutChanged(f"unexpected line in models/__init__.py: {line[:80]!r}")
    if not table:
        raise LayoutChanged("models/__init__.py imports no model")
    return table


class LazyModels:
    """The state behind one lazy `models` module (kept on it as `__lazy__`)."""

    def __init__(self, module: ModuleType, table: dict[str, str]) -> None:
        self.module = module
        self.table = table
        self.fallback: str | None = None  # why the real __init__ ran, once it has
        self._lock = threading.RLock()
        self._loading = False  # the real __init__ is running (in the thread holding _lock)

    def resolve(self, name: str) -> Any:
        submodule = self.table.get(name)
        if self.fallback is None and not self._loading:
            if submodule is not None:
                module_name = f"{self.module.__name__}.{submodule}"
                try:
                    value = getattr(importlib.import_module(module_name), name)
                except (ImportError, AttributeError) as error:
                    self.load_all(f"{name}: {type(error).__name__}: {error}")
                else:
                    setattr(self.module, name, value)  # found next time without __getattr__
                    return value
            elif name == "__all__" or not (name.startswith("__") and name.endswith("__")):
                # A dunder probe (copy, inspect, pytest) does not need the models.
                self.load_all(f"{name}: not in the table")
        with self._lock:  # a fallback in another thread: wait until the names are in
            try:
                return self.module.__dict__[name]
            except KeyError:
                raise AttributeError(
                    f"module {self.module.__name__!r} has no attribute {name!r}"
                ) from None

    def load_all(self, reason: str) -> None:
        """The normal import, into this same module object (the client holds it)."""
        with self._lock:
            if self.fallback is not None or self._loading:
                return
            spec = self.module.__spec__
            assert spec is not None and spec.loader is not None
            self._loading = True
            try:
                spec.loader.exec_module(self.module)
            finally:
                self._loading = False
            self.fallback = reason


def lazy_models(package: str) -> ModuleType:
    """`<package>.models`, lazy if its layout allows (see above), else imported normally.
    Call before anything imports the SDK's client or models."""
    name = f"{package}.models"
    if name in sys.modules:
        return sys.modules[name]
    parent = importlib.import_module(package)  # __init__: a version string
    spec = importlib.util.find_spec(name)
    try:
        if spec is None or spec.origin is None or not spec.submodule_search_locations:
            raise LayoutChanged(f"{name} is not a package")
        directory = Path(spec.origin).parent
        table = model_table(Path(spec.origin).read_text(encoding="utf-8"))
        present = {p.stem for p in directory.iterdir() if p.suffix == ".py"}
        missing = set(table.values()) - present
        if missing:
            raise LayoutChanged(f"modules named in __init__.py are missing: {sorted(missing)[:3]}")
    except (LayoutChanged, OSError, UnicodeDecodeError):
        return importlib.import_module(name)
    module = importlib.util.module_from_spec(spec)
    state = LazyModels(module, table)
    module.__lazy__ = state  # type: ignore[attr-defined]
    # A module-level __getattr__ (PEP 562): asked only for names not yet in the module.
    setattr(module, "__getattr__", state.resolve)  # noqa: B010
    sys.modules[name] = module
    parent.models = module  # type: ignore[attr-defined]
    return module
