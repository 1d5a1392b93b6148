"""One module per screen. Screens talk to tui.services, never to an SDK."""
