"""Re-encrypt every credential with the first key of FERNET_KEYS."""

from django.core.management.base import BaseCommand, CommandError

from practices.rotation import RotationError, rotate_credentials


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted credential with the first key of FERNET_KEYS "
        "(older keys in the list still decrypt). Afterwards the old keys can be "
        "dropped from FERNET_KEYS."
    )

    def handle(self, *args, **options) -> None:
        try:
            result = rotate_credentials()
        except RotationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {result.values} value(s) in {result.rows} row(s) with "
                "the first key of FERNET_KEYS. Once every process runs with this "
                "key list, the old keys may be removed."
            )
        )
