"""Re-encrypt every credential with the first key of FERNET_KEYS."""

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import pluralize

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
        values = f"{result.values} value{pluralize(result.values)}"
        rows = f"{result.rows} row{pluralize(result.rows)}"
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {values} in {rows} with "
                "the first key of FERNET_KEYS. Once every process runs with this "
                "key list, the old keys may be removed."
            )
        )
