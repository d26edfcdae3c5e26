"""Composition root: settings, services shared by the CLI and the API, and the ``gwersi`` CLI."""

__version__ = "0.1.0"
