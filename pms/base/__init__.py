"""The connector interface and the typed records that cross the PMS boundary.

No vendor dict leaves `pms/`: each vendor module maps its wire shapes to these
dataclasses. Times are timezone-aware (vendor-local times are interpreted in the
practice's time zone by the connector). Ids are strings whatever the vendor uses.

`errors` what a call raises, `kinds` lanes, entities and capabilities, `records`
what is read, `writes` what is written, `connector` the interface; import from
`pms.base`.
"""

from .connector import (
    ConnectionConfig,
    Connector,
)
from .errors import (
    PmsError,
    PmsOutcomeUnknown,
)
from .kinds import (
    Capability,
    Entity,
    Lane,
)
from .records import (
    Appointment,
    Deletion,
    IdWindow,
    Page,
    Patient,
    PatientPhoto,
    Payment,
    Procedure,
    Provider,
    RecordError,
    ReferenceValue,
    ScheduleBlock,
    ScheduleKind,
    phone_digits,
)
from .writes import (
    AppointmentRequest,
    ConfirmationRequest,
    DocumentRequest,
    NoteChannel,
    NoteDirection,
    NoteRequest,
    PatientRequest,
    PaymentRequest,
    WriteKind,
    WriteResult,
)

__all__ = [
    "PmsError",
    "PmsOutcomeUnknown",
    "Lane",
    "Entity",
    "Capability",
    "ReferenceValue",
    "Patient",
    "phone_digits",
    "Appointment",
    "Provider",
    "Procedure",
    "Payment",
    "ScheduleKind",
    "ScheduleBlock",
    "PatientPhoto",
    "Deletion",
    "IdWindow",
    "RecordError",
    "Page",
    "NoteDirection",
    "NoteChannel",
    "WriteKind",
    "NoteRequest",
    "ConfirmationRequest",
    "DocumentRequest",
    "PatientRequest",
    "AppointmentRequest",
    "PaymentRequest",
    "WriteResult",
    "ConnectionConfig",
    "Connector",
]
