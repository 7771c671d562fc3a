"""Signals other apps subscribe to, so practices never imports syncjobs or writeback.

Both are sent after the surrounding transaction commits.
"""

from django.db import transaction
from django.dispatch import Signal

# Sent with `practice` after a practice's sync or write-back settings were saved.
settings_saved = Signal()
# Sent with `connection` after a PMS connection was created, edited or changed status.
connection_changed = Signal()


def announce_settings_saved(practice) -> None:
    """Tell subscribers, once the transaction commits, that settings changed."""
    transaction.on_commit(
        lambda: settings_saved.send(sender=type(practice), practice=practice)
    )


def announce_connection_changed(connection) -> None:
    """Tell subscribers, once the transaction commits, that a connection changed."""
    transaction.on_commit(
        lambda: connection_changed.send(sender=type(connection), connection=connection)
    )
