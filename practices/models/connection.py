from django.db import models
from django.utils import timezone
from fernet_fields import EncryptedTextField

from .practice import Practice


class PmsType(models.TextChoices):
    DENTRIX_ASCEND = "dentrix_ascend", "Dentrix Ascend"
    OPEN_DENTAL = "open_dental", "Open Dental"
    EAGLESOFT = "eaglesoft", "Eaglesoft"
    DENTRIX = "dentrix", "Dentrix"


class ConnectionStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    DISABLED = "disabled", "Disabled"
    REMOVED = "removed", "Removed"
    NEEDS_ATTENTION = "needs_attention", "Needs attention"


# Which encrypted credential fields each PMS type needs.
REQUIRED_CREDENTIALS: dict[str, tuple[str, ...]] = {
    PmsType.DENTRIX_ASCEND: ("client_id", "client_secret", "organization_id"),
    PmsType.OPEN_DENTAL: ("developer_key", "customer_key"),
    PmsType.EAGLESOFT: ("agent_token",),
    PmsType.DENTRIX: ("agent_token",),
}
CREDENTIAL_FIELDS = (
    "client_id",
    "client_secret",
    "organization_id",
    "developer_key",
    "customer_key",
    "agent_token",
)


class PmsConnection(models.Model):
    """How one practice reaches its PMS. Credentials are Fernet-encrypted at rest."""

    practice = models.OneToOneField(
        Practice, on_delete=models.CASCADE, related_name="connection"
    )
    pms_type = models.CharField("PMS", max_length=20, choices=PmsType.choices)
    base_url = models.URLField(
        max_length=500,
        help_text="The vendor's API base URL, "
        "or the simulator's prefix in development.",
    )
    client_id = EncryptedTextField("Client ID", blank=True, default="")
    client_secret = EncryptedTextField("Client secret", blank=True, default="")
    organization_id = EncryptedTextField("Organization ID", blank=True, default="")
    developer_key = EncryptedTextField("Developer key", blank=True, default="")
    customer_key = EncryptedTextField("Customer key", blank=True, default="")
    agent_token = EncryptedTextField("Agent token", blank=True, default="")
    request_interval_ms = models.PositiveIntegerField(
        "Request interval (ms)",
        null=True,
        blank=True,
        help_text="Minimum time between calls for this connection, across every "
        "worker. Empty: the PMS's default (Open Dental remote: 1000; read-only key: "
        "5000; Enterprise: 500; local API / API Service: 0).",
    )
    page_size = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Rows per page. Empty: the PMS's default (Open Dental remote 100, "
        "local/service 1000).",
    )
    status = models.CharField(
        max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.ACTIVE
    )
    status_reason = models.TextField(blank=True, default="")
    status_changed_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "PMS connection"

    def __str__(self) -> str:
        return f"{self.practice} — {self.get_pms_type_display()}"

    def __repr__(self) -> str:
        # Never let a credential reach a log line through repr().
        return f"<PmsConnection {self.pk} {self.pms_type} {self.status}>"

    @property
    def required_credentials(self) -> tuple[str, ...]:
        return REQUIRED_CREDENTIALS.get(self.pms_type, ())

    def missing_credentials(self) -> list[str]:
        """Return the verbose names of required credentials that are empty."""
        return [
            str(self._meta.get_field(name).verbose_name)
            for name in self.required_credentials
            if not getattr(self, name)
        ]

    @property
    def is_usable(self) -> bool:
        """Return whether work may run against this connection now."""
        return self.status == ConnectionStatus.ACTIVE and not self.missing_credentials()

    def set_status(self, status: str, reason: str = "") -> None:
        """Move to `status` with a human reason; saves only the status columns."""
        self.status = status
        self.status_reason = reason
        self.status_changed_at = timezone.now()
        self.save(update_fields=["status", "status_reason", "status_changed_at"])
