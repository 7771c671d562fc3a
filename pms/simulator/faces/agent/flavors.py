"""The two flavors of the agent protocol, assembled from each vendor's naming."""

from __future__ import annotations

from . import dentrix, dentrix_commands, eaglesoft, eaglesoft_commands
from .wire import Flavor

EAGLESOFT = Flavor(
    vendor="eaglesoft",
    label="Eaglesoft",
    token_field="eaglesoft_agent_token",
    pms_version="Eaglesoft 22.00 (simulated)",
    tables={table.name: table for table in eaglesoft.TABLES},
    reference=eaglesoft.reference,
    commands=eaglesoft_commands.COMMANDS,
    required=eaglesoft_commands.REQUIRED,
)
DENTRIX = Flavor(
    vendor="dentrix",
    label="Dentrix",
    token_field="dentrix_agent_token",
    pms_version="Dentrix G7.4 (simulated)",
    tables={table.name: table for table in dentrix.TABLES},
    reference=dentrix.reference,
    commands=dentrix_commands.COMMANDS,
    required=dentrix_commands.REQUIRED,
)
