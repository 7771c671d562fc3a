import zoneinfo

from django.conf import settings
from django.db import models

TIME_ZONE_CHOICES = [(tz, tz) for tz in sorted(zoneinfo.available_timezones())]


class PracticeQuerySet(models.QuerySet):
    def managed_by(self, user) -> "PracticeQuerySet":
        """Return the practices where `user` holds the Practice Settings permission."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            memberships__user=user, memberships__can_manage_settings=True
        ).distinct()


class Practice(models.Model):
    """One physical location; each has its own PMS connection and settings."""

    name = models.CharField(max_length=200)
    time_zone = models.CharField(
        max_length=64, choices=TIME_ZONE_CHOICES, default="America/New_York"
    )
    nightly_window_start_hour = models.PositiveSmallIntegerField(
        default=2,
        help_text="Practice-local hour when the nightly window "
        "(purges, analytics) opens.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PracticeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Membership(models.Model):
    """A user's access to one practice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="memberships"
    )
    can_manage_settings = models.BooleanField(
        "Practice Settings permission",
        default=False,
        help_text="May view and change this practice's PMS sync "
        "and write-back settings.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "practice"], name="one_membership_per_user_practice"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.practice}"
