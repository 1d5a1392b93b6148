"""The SDKs' models load one by one as used (tui/services/lazy_models.py), and the
normal import takes over whenever the SDK's layout is not the one expected."""

from __future__ import annotations

import compileall
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tui.services.lazy_models import LayoutChanged, lazy_models, model_table

SERVICES = Path(__file__).parent.parent / "tui" / "services"
SDKS = {"cdn.py": "alibabacloud_cdn20180510", "alidns.py": "alibabacloud_alidns20150109"}


def names_used(module: str) -> list[str]:
    """The SDK model names a service module asks its `sdk` for."""
    return sorted(set(re.findall(r"\bsdk\.(\w+)", (SERVICES / module).read_text())))


@pytest.mark.slow  # a fresh interpreter per SDK: the lazy path, not a module a test loaded
@pytest.mark.parametrize("module", sorted(SDKS))
def test_every_model_the_services_use_is_the_real_class(module):
    package, names = SDKS[module], names_used(module)
    assert len(names) >= 8  # the probe reads the service's source
    code = textwrap.dedent(f"""
        import importlib.util, json, sys
        from tui.services.lazy_models import lazy_models
        models = lazy_models({package!r})
        lazy = {{name: getattr(models, name) for name in {names!r}}}
        loaded = [m for m in sys.modules if m.startswith({package!r} + ".models._")]
        # The real models/__init__.py, run into a module of its own: what the normal
        # import would bind to each name.
        spec = importlib.util.find_spec({package!r} + ".models")
        real = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(real)
        print(json.dumps({{
            "lazy": hasattr(models, "__lazy__"),
            "fallback": models.__lazy__.fallback,
            "loaded": len(loaded),
            "same": [n for n, cls in lazy.items() if getattr(real, n) is cls],
            "request_built": type(lazy[{names[0]!r}]().from_map({{}})).__name__,
        }}))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    found = json.loads(out.stdout)
    assert found["lazy"] and found["fallback"] is None
    assert found["loaded"] <= len(names)  # one module per class asked for, not ~500
    assert found["same"] == names
    assert found["request_built"] == names[0]


def test_the_table_is_read_from_a_generated_init():
    text = (
        "# -*- coding: utf-8 -*-\nfrom __future__ import annotations\n\n"
        "from ._a_request import ARequest\nfrom ._a_request import ARequestTag\n"
        "__all__ = [\n    ARequest,\n    ARequestTag\n]\n"
    )
    assert model_table(text) == {"ARequest": "_a_request", "ARequestTag": "_a_request"}
    for odd in ("from ._a import *", "from ._a import A as B", "A = B", "import os"):
        with pytest.raises(LayoutChanged):
            model_table(text + odd + "\n")


# -- a small SDK of the same shape, to change its layout --------------------------------

MODELS_INIT = """\
# -*- coding: utf-8 -*-
# This file is auto-generated, don't edit it. Thanks.
from __future__ import annotations

from ._list_request import ListRequest
from ._list_response import ListResponse
from ._list_response import ListResponseItem
__all__ = [
    ListRequest,
    ListResponse,
    ListResponseItem
]
"""

LIST_REQUEST = """\
from __future__ import annotations


class ListRequest:
    page: int = 1
"""

LIST_RESPONSE = """\
from __future__ import annotations

from {package} import models as main_models


class ListResponseItem:
    pass


class ListResponse:
    def item(self) -> main_models.ListResponseItem:
        return main_models.ListResponseItem()  # the generated from_map's way
"""


@pytest.fixture
def fake_sdk(tmp_path, monkeypatch, request):
    """A package laid out as the generated SDKs are, under a name of this test's own."""
    package = "fake_sdk_" + re.sub(r"\W", "_", request.node.name)
    models = tmp_path / package / "models"
    models.mkdir(parents=True)
    (tmp_path / package / "__init__.py").write_text("__version__ = '1.0.0'\n")
    (models / "__init__.py").write_text(MODELS_INIT)
    (models / "_list_request.py").write_text(LIST_REQUEST)
    (models / "_list_response.py").write_text(LIST_RESPONSE.format(package=package))
    monkeypatch.syspath_prepend(str(tmp_path))
    yield package, models
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]


def test_a_model_loads_only_its_own_module(fake_sdk):
    package, _ = fake_sdk
    models = lazy_models(package)
    assert models.__lazy__.fallback is None
    assert f"{package}.models._list_response" not in sys.modules
    from importlib import import_module

    request = import_module(f"{package}.models").ListRequest
    assert request.__module__ == f"{package}.models._list_request"
    assert f"{package}.models._list_response" not in sys.modules
    # A model reaching another through `main_models` gets it the same way.
    item = models.ListResponse().item()
    assert type(item) is models.ListResponseItem
    assert models.__lazy__.fallback is None
    # Probes for special names (copy, inspect, pytest) do not load everything.
    assert not hasattr(models, "__wrapped__")
    assert models.__lazy__.fallback is None


def test_an_init_of_another_shape_is_imported_normally(fake_sdk):
    package, models_dir = fake_sdk
    init = models_dir / "__init__.py"
    init.write_text(MODELS_INIT + "Alias = ListRequest\n")
    models = lazy_models(package)
    assert not hasattr(models, "__lazy__")
    assert models.Alias is models.ListRequest
    assert f"{package}.models._list_response" in sys.modules  # all of it, as normally


def test_a_sourceless_install_is_imported_normally(fake_sdk):
    # Installed as bytecode only: no models/*.py to read the table from.
    package, models_dir = fake_sdk
    compileall.compile_dir(str(models_dir), legacy=True, quiet=1)
    for source in models_dir.glob("*.py"):
        source.unlink()
    models = lazy_models(package)
    assert not hasattr(models, "__lazy__")
    assert type(models.ListResponse().item()) is models.ListResponseItem


def test_a_module_the_init_names_but_missing_is_not_read_lazily(fake_sdk):
    package, models_dir = fake_sdk
    (models_dir / "_list_response.py").rename(models_dir / "_list_responses.py")
    # The normal import fails as it would without this module: no half-working models.
    with pytest.raises(ImportError):
        lazy_models(package)


@pytest.mark.parametrize("where", ["_list_request", "_gone"])
def test_a_class_not_where_the_table_says_falls_back_to_the_real_init(fake_sdk, where):
    package, _ = fake_sdk
    models = lazy_models(package)
    models.__lazy__.table["ListResponse"] = where  # a layout the table did not foresee
    response = models.ListResponse
    assert response.__module__ == f"{package}.models._list_response"
    assert models.__lazy__.fallback.startswith("ListResponse: ")
    # The real __init__ ran into the same module object: everything is there now.
    assert set(models.__all__) == {models.ListRequest, models.ListResponse, models.ListResponseItem}
    assert type(response().item()) is models.ListResponseItem


def test_a_name_not_in_the_table_falls_back_and_is_then_missing_as_normally(fake_sdk):
    package, _ = fake_sdk
    models = lazy_models(package)
    with pytest.raises(AttributeError, match="NoSuchModel"):
        models.NoSuchModel  # noqa: B018
    assert models.__lazy__.fallback == "NoSuchModel: not in the table"
    assert models.ListResponseItem.__name__ == "ListResponseItem"


def test_a_models_module_imported_already_is_returned_as_it_is(fake_sdk):
    from importlib import import_module

    package, _ = fake_sdk
    real = import_module(f"{package}.models")
    assert lazy_models(package) is real
    assert not hasattr(real, "__lazy__")
