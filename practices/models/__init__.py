from .audit import SettingChange
from .connection import ConnectionStatus, PmsConnection, PmsType
from .practice import Membership, Practice
from .reference import ReferenceItem, ReferenceKind
from .sync_settings import SyncSettings
from .writeback_settings import WriteBackKind, WriteBackRule, WriteBackSettings

__all__ = [
    "ConnectionStatus",
    "Membership",
    "PmsConnection",
    "PmsType",
    "Practice",
    "ReferenceItem",
    "ReferenceKind",
    "SettingChange",
    "SyncSettings",
    "WriteBackKind",
    "WriteBackRule",
    "WriteBackSettings",
]
