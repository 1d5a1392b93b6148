"""Reading a cloud answer field by field: what it must hold, and what it may.

The SDKs take whatever a 200 answer holds: a field that is missing or null is None, a
string where an object belongs fails deep inside the SDK (which swallows the error and
hands back a half-filled model), a number where a string belongs passes through. So the
service layer reads each answer itself, through `Fields` (JSON, from CDN and Alidns) or
`XmlFields` (OSS): every read names the field (`Domains.PageData[0].DomainName`), and a
field that is required but missing, or of the wrong type, raises `ShapeError` with that
name. `TeaService.call` and `OssService._call` turn it into an UnexpectedAnswer.

Which fields are required is decided per answer in cdn.py, alidns.py and oss.py: what
the app cannot do without (a domain's name, a record's id) or would state wrongly if it
guessed (a status, a count that decides whether more pages exist). Field names in
messages are the code's own; no text from the answer is quoted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from xml.etree.ElementTree import Element


class ShapeError(ValueError):
    """An answer that does not have the shape its reader needs."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def missing(path: str) -> ShapeError:
    return ShapeError(f"field {path} missing")


def wrong(path: str, found: str, wanted: str) -> ShapeError:
    return ShapeError(f"field {path} is {found}, not {wanted}")


class Fields:
    """One JSON object of an answer. `None` for the whole answer reads as an empty one."""

    __slots__ = ("_data", "_path")

    def __init__(self, data: Any, path: str = "") -> None:
        if data is None and not path:
            raise ShapeError("the answer is empty")
        if not isinstance(data, dict):
            if path:
                raise wrong(path, _kind(data), "an object")
            raise ShapeError(f"the answer is {_kind(data)}, not an object")
        self._data = data
        self._path = path

    def _at(self, name: str) -> str:
        """The field's name in messages (worked out only for one: an answer of 10,000
        domains is read field by field)."""
        return _join(self._path, name)

    def has(self, name: str) -> bool:
        return self._data.get(name) is not None

    def text(self, name: str, default: str | None = None) -> str:
        """A string field. Without `default` it is required and must not be empty.
        A number is taken as its digits (the APIs mix "443" and 443)."""
        value = self._data.get(name)
        if value is None or value == "":
            if default is None:
                raise missing(self._at(name))
            return default
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        raise wrong(self._at(name), _kind(value), "a string")

    def integer(self, name: str, default: int | None = None) -> int:
        """A whole number, given as a number or as a string of digits."""
        value = self._data.get(name)
        if value is None or value == "":
            if default is None:
                raise missing(self._at(name))
            return default
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        found = "a string of other characters" if isinstance(value, str) else _kind(value)
        raise wrong(self._at(name), found, "a whole number")

    def flag(self, name: str, default: bool | None = None) -> bool:
        """A boolean, given as true/false or as the strings "true"/"false"."""
        value = self._data.get(name)
        if value is None or value == "":
            if default is None:
                raise missing(self._at(name))
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise wrong(self._at(name), _kind(value), "true or false")

    def obj(self, name: str, *, required: bool = False) -> Fields:
        """A nested object; an absent optional one reads as empty."""
        value = self._data.get(name)
        if value is None:
            if required:
                raise missing(self._at(name))
            return Fields({}, self._at(name))
        return Fields(value, self._at(name))

    def items(self, name: str, *, required: bool = False) -> list[Fields]:
        """A list of objects; an absent optional one reads as empty."""
        value = self._data.get(name)
        if value is None:
            if required:
                raise missing(self._at(name))
            return []
        if not isinstance(value, list):
            raise wrong(self._at(name), _kind(value), "a list")
        path = self._at(name)
        return [Fields(item, f"{path}[{i}]") for i, item in enumerate(value)]

    def texts(self, name: str) -> tuple[str, ...]:
        """A list of strings; absent reads as empty."""
        value = self._data.get(name)
        if value is None:
            return ()
        if not isinstance(value, list):
            raise wrong(self._at(name), _kind(value), "a list")
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise wrong(f"{self._at(name)}[{i}]", _kind(item), "a string")
        return tuple(value)

    def request_id(self) -> str:
        value = self._data.get("RequestId")
        return value if isinstance(value, str) else ""


class XmlFields:
    """One element of an OSS XML answer, read like `Fields`: an element that should hold
    text must not hold elements, and one that should hold elements must not hold text."""

    __slots__ = ("_node", "_path")

    def __init__(self, node: Element, path: str = "") -> None:
        self._node = node
        self._path = path

    @classmethod
    def root(cls, node: Element, tag: str) -> XmlFields:
        if node.tag != tag:
            raise ShapeError(f"the answer is a {node.tag} document, not {tag}")
        return cls(node)

    def path(self, name: str) -> str:
        """The name a message gives this element's child `name`."""
        return _join(self._path, name)

    def _child(self, name: str) -> tuple[Element | None, str]:
        return self._node.find(name), _join(self._path, name)

    def text(self, name: str, default: str | None = None) -> str:
        child, path = self._child(name)
        if child is not None and len(child):
            raise wrong(path, "an element with elements in it", "text")
        value = (child.text or "").strip() if child is not None else ""
        if not value:
            if default is None:
                raise missing(path)
            return default
        return value

    def flag(self, name: str, default: bool | None = None) -> bool:
        value = self.text(name, "" if default is not None else None)
        if not value:
            return bool(default)
        if value.lower() not in ("true", "false"):
            raise wrong(_join(self._path, name), "not true or false", "true or false")
        return value.lower() == "true"

    def integer(self, name: str) -> int:
        value = self.text(name)
        if not value.isdigit():
            raise wrong(_join(self._path, name), "not a whole number", "a whole number")
        return int(value)

    def _container(self, node: Element, path: str) -> XmlFields:
        if not len(node) and (node.text or "").strip():
            raise wrong(path, "text", "an element with elements in it")
        return XmlFields(node, path)

    def obj(self, name: str, *, required: bool = False) -> XmlFields:
        child, path = self._child(name)
        if child is None:
            if required:
                raise missing(path)
            return XmlFields(Element(name), path)
        return self._container(child, path)

    def items(self, name: str) -> Iterator[XmlFields]:
        path = _join(self._path, name)
        for i, node in enumerate(self._node.findall(name)):
            yield self._container(node, f"{path}[{i}]")
