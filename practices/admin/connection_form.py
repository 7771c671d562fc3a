"""The admin form for a PMS connection: credentials are write-only."""

import ipaddress
import unicodedata
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError

from ..models import PmsConnection
from ..models.connection import CREDENTIAL_FIELDS, REQUIRED_CREDENTIALS, PmsType


def clear_name(name: str) -> str:
    return f"clear_{name}"


def refuse_control_characters(value: str) -> None:
    """Refuse a credential holding a line break, tab or other control character,
    or anything beyond plain ASCII (a pasted zero-width space or curly quote)."""
    # Credentials travel in HTTP headers: a line break there would fail every
    # request, or add a header of its own; a non-ASCII character cannot be sent.
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise ValidationError(
            "Remove the line breaks, tabs or other control characters from this "
            "credential; it must be one line of visible characters.",
            code="control_characters",
        )
    if not value.isascii() or not value.isprintable():
        raise ValidationError(
            "This credential holds a character beyond plain ASCII (often a pasted "
            "invisible space or curly quote); type or paste it again.",
            code="not_ascii",
        )


# Names and addresses that stay inside an office or its VPN (RFC 6762, 6598, 8375).
LOCAL_SUFFIXES = (".localhost", ".local", ".lan", ".internal", ".home.arpa")
SHARED_SPACE = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, Tailscale


def refuse_plain_http_across_the_internet(url: str) -> None:
    """Refuse http:// unless the host is this machine or a private network."""
    # Open Dental's local API and API Service speak plain http on the office's
    # own network (§1.1 of its sheet); anything beyond it carries credentials.
    parts = urlsplit(url)
    if parts.scheme != "http":
        return
    host = (parts.hostname or "").rstrip(".")
    if "." not in host or host.endswith(LOCAL_SUFFIXES):
        return  # "localhost", "od-server.lan": names of the office's own network
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None and (
        address.is_loopback or address.is_private or address in SHARED_SPACE
    ):
        return
    raise ValidationError(
        "Use https:// for a PMS across the internet: over http:// the credentials "
        "and patient data would travel unencrypted. Plain http is accepted only "
        "for this machine or a private network address (Open Dental's API "
        "Service on the office network).",
        code="plain_http",
    )


def _secret() -> forms.CharField:
    return forms.CharField(
        required=False,
        validators=[refuse_control_characters],
        widget=forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "new-password"}
        ),
    )


def _clear() -> forms.BooleanField:
    return forms.BooleanField(label="clear", required=False)


class PmsConnectionAdminForm(forms.ModelForm):
    """Never render a stored credential; blank keeps it, "clear" empties it."""

    base_url = forms.URLField(
        label="Base URL",
        max_length=500,
        assume_scheme="https",
        validators=[refuse_plain_http_across_the_internet],
        help_text=PmsConnection._meta.get_field("base_url").help_text,
        widget=forms.URLInput(attrs={"class": "vURLField"}),  # admin's wide input
    )
    client_id = _secret()
    clear_client_id = _clear()
    client_secret = _secret()
    clear_client_secret = _clear()
    organization_id = _secret()
    clear_organization_id = _clear()
    developer_key = _secret()
    clear_developer_key = _clear()
    customer_key = _secret()
    clear_customer_key = _clear()
    agent_token = _secret()
    clear_agent_token = _clear()

    class Meta:
        model = PmsConnection
        fields = [
            "practice",
            "pms_type",
            "base_url",
            "request_interval_ms",
            "page_size",
            *CREDENTIAL_FIELDS,
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in CREDENTIAL_FIELDS:
            if name not in self.fields:
                continue
            # The stored value must not even reach the form's initial data.
            self.initial[name] = ""
            field = self.fields[name]
            field.label = PmsConnection._meta.get_field(name).verbose_name
            field.help_text = (
                "Set. Leave blank to keep the current value."
                if getattr(self.instance, name)
                else "Not set."
            )

    def clean(self) -> dict:
        cleaned = super().clean()
        for name in CREDENTIAL_FIELDS:
            if name not in self.fields:
                continue
            entered = cleaned.get(name, "")
            if entered and cleaned.get(clear_name(name)):
                self.add_error(name, "Enter a new value or clear it, not both.")
                continue
            # Blank means "keep"; the model then receives the effective value.
            if cleaned.get(clear_name(name)):
                cleaned[name] = ""
            elif not entered:
                cleaned[name] = getattr(self.instance, name) if self.instance.pk else ""
        pms_type = cleaned.get("pms_type")
        label = PmsType(pms_type).label if pms_type in PmsType.values else ""
        for name in REQUIRED_CREDENTIALS.get(pms_type, ()):
            if (
                name in self.fields
                and not cleaned.get(name)
                and name not in self.errors
            ):
                self.add_error(name, f"{label} needs this credential.")
        return cleaned

    def save(self, commit: bool = True) -> PmsConnection:
        # Apply the effective values even where ModelForm keeps a default for a
        # field missing from the POST (it would skip a "clear").
        instance = super().save(commit=False)
        for name in CREDENTIAL_FIELDS:
            if name in self.fields:
                setattr(instance, name, self.cleaned_data[name])
        if commit:
            instance.save()
            self._save_m2m()
        return instance
