"""The Dentrix Ascend API face, under /dentrixascend (other-pms-facts §1, §5)."""

from . import events, resources, writes  # noqa: F401 (routes)
from .app import configure, face, revoke_tokens

__all__ = ["configure", "face", "revoke_tokens"]
