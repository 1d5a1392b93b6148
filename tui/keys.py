"""The keys a screen offers, as the footer, help and command palette show them."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import REPLACED_KEYS, Keys, key_to_character
from textual.screen import Screen

import screens


def shown_bindings(screen: Screen, with_app: bool = False, hidden: bool = False):
    """(key, Binding) for the screen's own footer keys (and the app's), as remapped by
    the user's keymap; widget-level keys such as cursor movement are left out. With
    `hidden`, also the screen's keys kept off the footer (which fits 80 columns) that
    have a description: Help and the command palette list every key. A binding with a
    tooltip is given with the tooltip as its description: the footer's label is kept
    short for 80 columns, the tooltip says it in full (hovering the footer shows it too)."""
    seen = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        owners = (screen, screen.app) if with_app else (screen,)
        if active.node not in owners or not binding.description:
            continue
        if not binding.show and not (hidden and active.node is screen):
            continue
        if binding.action in seen:
            continue
        seen.add(binding.action)
        if binding.tooltip:
            binding = dataclasses.replace(binding, description=binding.tooltip)
        yield key, binding


MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})


def valid_key(key: str) -> bool:
    """Whether Textual can ever report `key` ("a", "A", "f5", "ctrl+shift+up", "slash",
    "question_mark"): a key name or one printable character, after known modifiers."""
    if key in {k.value for k in Keys}:
        return True
    if len(key) == 1:  # "+" too, which the split below would take for a modifier
        return key.isprintable() and not key.isspace()
    *modifiers, base = key.split("+")
    if not base or not MODIFIERS.issuperset(modifiers) or len(set(modifiers)) < len(modifiers):
        return False
    if len(base) == 1:
        # Alone, "/" is read as "slash"; after a modifier only letters and digits are
        # (Textual names the others: "ctrl+slash").
        return base.isalnum() if modifiers else base.isprintable() and not base.isspace()
    return (
        base in {k.value for k in Keys}
        or key_to_character(REPLACED_KEYS.get(base, base)) is not None
    )


def binding_ids(app: type[App]) -> set[str]:
    """Every binding id of `app` and of the screens and widgets (each screen module
    imported: most are loaded only when first opened). The app class is passed in, not
    imported here: tui.app imports this module, and importing it back would be a cycle."""
    for module in pkgutil.iter_modules(screens.__path__):
        importlib.import_module(f"screens.{module.name}")
    ids: set[str] = set()
    classes: list[type] = [app, DOMNode]
    while classes:
        cls = classes.pop()
        classes.extend(cls.__subclasses__())
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                ids.add(binding.id)
    return ids


def keymap_problems(keymap: object, known_ids: set[str]) -> list[str]:
    """What is wrong in a keymap.json ({"binding id": "key,key"}), one line each; shown
    with repr() so that nothing in the file can drive the terminal."""
    if not isinstance(keymap, dict):
        return [f"not an object of binding ids and keys but {type(keymap).__name__}"]
    problems = []
    unknown = sorted(repr(i) for i in keymap if i not in known_ids)
    if unknown:
        problems.append(f"unknown binding id{'s' * (len(unknown) > 1)}: {', '.join(unknown)}")
    for binding_id, keys in keymap.items():
        if not isinstance(keys, str):
            problems.append(f'{binding_id!r}: keys must be text like "ctrl+n,f5", not {keys!r}')
            continue
        bad = [k for k in (k.strip() for k in keys.split(",")) if not valid_key(k)]
        if bad:
            problems.append(
                f"{binding_id!r}: invalid key{'s' * (len(bad) > 1)} "
                f"{', '.join(repr(k) for k in bad)}"
            )
    return problems


def usable_keymap(keymap: object) -> dict[str, str]:
    """The entries of a keymap.json Textual can use: text keys, the invalid ones left out
    (an id no binding has is harmless: it is reported, not applied anywhere)."""
    if not isinstance(keymap, dict):
        return {}
    usable = {}
    for binding_id, keys in keymap.items():
        if isinstance(keys, str):
            good = [k for k in (k.strip() for k in keys.split(",")) if valid_key(k)]
            if good:
                usable[str(binding_id)] = ",".join(good)
    return usable
