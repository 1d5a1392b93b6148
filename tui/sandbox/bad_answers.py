"""Answers gone wrong: an action's real answer, delivered with HTTP 200 but mangled the
way a broken gateway, a changed API or a body cut short would deliver it.

The kinds (armed like any fault, see faults.py):
- `truncated`: the body cut at some byte (never a complete document);
- `wrong_types`: fields of the wrong JSON type (JSON: a string where an object or list
  belongs, an object where a string or number belongs; XML: text where elements belong,
  elements where text belongs);
- `null_fields`: fields set to null (XML: text elements removed);
- `empty_200`: an empty body (JSON: `body="{}"` sends an empty object instead).

Which fields are hit is chosen by a seeded random generator (`seed`, default 0; each
field with probability `rate`, default 0.3, and at least one): the same answer and seed
give the same mangled answer. RequestId is left alone, as gateways keep it.

Pure functions on bytes, so tests can check them without a server.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree as ET

BAD_ANSWERS = frozenset({"truncated", "wrong_types", "null_fields", "empty_200"})
KEEP = frozenset({"RequestId"})
DEFAULT_RATE = 0.3


def cut(body: bytes, rng: random.Random) -> bytes:
    """A proper prefix of `body` (trailing whitespace aside): never the whole document."""
    end = len(body.rstrip())
    if end <= 1:
        return b""
    return body[: rng.randint(1, end - 1)]


# -- JSON (CDN, Alidns) ----------------------------------------------------------------


def _wrong_type(value: Any) -> Any:
    if isinstance(value, (dict, list)) or value is None or isinstance(value, bool):
        return "unexpected"
    return {"value": value}  # a string or a number


def _slots(node: Any, eligible: Callable[[Any], bool]) -> list[tuple[Any, Any]]:
    """Every eligible (container, key) under `node`, parents first; RequestId left out."""
    found: list[tuple[Any, Any]] = []
    pairs = node.items() if isinstance(node, dict) else enumerate(node)
    for key, child in pairs:
        if isinstance(node, dict) and key in KEEP:
            continue
        if eligible(child):
            found.append((node, key))
        if isinstance(child, (dict, list)):
            found.extend(_slots(child, eligible))
    return found


def _mutate_json(
    data: Any,
    rng: random.Random,
    rate: float,
    change: Callable[[Any], Any],
    eligible: Callable[[Any], bool],
) -> Any:
    changed = 0

    def walk(node: Any) -> None:
        nonlocal changed
        pairs = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
        for key, child in pairs:
            if isinstance(node, dict) and key in KEEP:
                continue
            if eligible(child) and rng.random() < rate:
                node[key] = change(child)
                changed += 1
            elif isinstance(child, (dict, list)):
                walk(child)

    if isinstance(data, (dict, list)):
        walk(data)
        if not changed:
            slots = _slots(data, eligible)
            if slots:
                node, key = rng.choice(slots)
                node[key] = change(node[key])
    return data


def mangle_json(
    body: bytes, kind: str, *, seed: int = 0, rate: float = DEFAULT_RATE, empty: str = ""
) -> bytes:
    """`body` (a JSON answer) mangled as `kind`."""
    rng = random.Random(seed)
    if kind == "truncated":
        return cut(body, rng)
    if kind == "empty_200":
        return empty.encode()
    data = json.loads(body)
    if kind == "null_fields":  # a null already there is no fault
        data = _mutate_json(data, rng, rate, lambda _: None, lambda v: v is not None)
    elif kind == "wrong_types":
        data = _mutate_json(data, rng, rate, _wrong_type, lambda v: True)
    else:
        raise ValueError(f"not a bad-answer kind: {kind!r}")
    return json.dumps(data).encode()


# -- XML (OSS) -------------------------------------------------------------------------


def _elements(root: ET.Element) -> list[tuple[ET.Element, ET.Element]]:
    """Every (parent, element) below the root, parents before children."""
    return [(parent, child) for parent in root.iter() for child in parent]


def _wrong_xml(parent: ET.Element, element: ET.Element) -> None:
    if len(element):  # elements where text belongs -> text
        for child in list(element):
            element.remove(child)
        element.text = "unexpected"
    else:  # text -> an element
        ET.SubElement(element, "Value").text = element.text
        element.text = None


def _mutate_xml(
    root: ET.Element,
    rng: random.Random,
    rate: float,
    leaves_only: bool,
    change: Callable[[ET.Element, ET.Element], None],
) -> None:
    changed = 0

    def walk(node: ET.Element) -> None:
        nonlocal changed
        for child in list(node):
            eligible = not (leaves_only and len(child))
            if eligible and rng.random() < rate:
                change(node, child)
                changed += 1
            else:
                walk(child)

    walk(root)
    if not changed:
        slots = [(p, e) for p, e in _elements(root) if not (leaves_only and len(e))]
        if slots:
            change(*rng.choice(slots))


def mangle_xml(body: bytes, kind: str, *, seed: int = 0, rate: float = DEFAULT_RATE) -> bytes:
    """`body` (an OSS XML answer) mangled as `kind`."""
    rng = random.Random(seed)
    if kind == "truncated":
        return cut(body, rng)
    if kind == "empty_200":
        return b""
    root = ET.fromstring(body)
    if kind == "null_fields":
        _mutate_xml(root, rng, rate, True, lambda parent, e: parent.remove(e))
    elif kind == "wrong_types":
        _mutate_xml(root, rng, rate, False, _wrong_xml)
    else:
        raise ValueError(f"not a bad-answer kind: {kind!r}")
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)
