"""The keys a screen offers, as the footer, help and command palette show them."""

from __future__ import annotations

from textual.screen import Screen


def shown_bindings(screen: Screen, with_app: bool = False):
    """(key, Binding) for the screen's own footer keys (and the app's), as remapped by
    the user's keymap; widget-level keys such as cursor movement are left out."""
    seen = set()
    for key, active in screen.active_bindings.items():
        binding = active.binding
        owners = (screen, screen.app) if with_app else (screen,)
        if active.node not in owners or not binding.show or not binding.description:
            continue
        if binding.action in seen:
            continue
        seen.add(binding.action)
        yield key, binding
