"""The bridge-agent faces: /eaglesoft/agent/v1 and /dentrix/agent/v1, one
implementation with per-vendor naming (docs/agent-protocol.md)."""

from .flavors import DENTRIX, EAGLESOFT
from .routes import build_face

faces = [build_face(EAGLESOFT), build_face(DENTRIX)]
