"""Vendor faces. Every module (or package) here that defines `face` or `faces`
is mounted by the server; see docs/simulator.md, "How to add a face"."""

from __future__ import annotations

import importlib
import logging
import pkgutil

from ..face import Face

log = logging.getLogger(__name__)


def load_faces() -> list[Face]:
    """Import every module in this package and return the faces they expose."""
    found: list[Face] = []
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        try:
            module = importlib.import_module(f"{__name__}.{module_info.name}")
        except Exception:  # one broken face must not take the others down
            log.exception("simulator face module %s failed to import", module_info.name)
            continue
        exposed = getattr(module, "faces", None) or [getattr(module, "face", None)]
        found.extend(f for f in exposed if isinstance(f, Face))
    prefixes = [f.prefix for f in found]
    if len(set(prefixes)) != len(prefixes):
        raise RuntimeError(f"two faces share a prefix: {prefixes}")
    return found
