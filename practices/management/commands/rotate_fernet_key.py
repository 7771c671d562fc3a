"""Re-encrypt every credential with the first key of FERNET_KEYS."""

from django.core.management.base import BaseCommand, CommandError

from pbnsync.words import counted
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
        values = counted(result.values, "value")
        rows = counted(result.rows, "row")
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {values} in {rows} with "
                "the first key of FERNET_KEYS. Once every process runs with this "
                "key list, the old keys may be removed."
            )
        )
