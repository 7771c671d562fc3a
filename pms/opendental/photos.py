"""Open Dental patient pictures: metadata only (opendental-api.md §5.3, §5.9).

A patient's picture is a document in an image category whose ItemValue carries
the flag "P" (Patient Pictures; definitions category 18, ImageCats), listed by
`GET /documents?PatNum=` ordered by DateCreated. The API never returns the bytes
(SFTP only, §5.9), so we keep the DocNum and date and show that a photo is on file.
"""

from __future__ import annotations

import logging
from typing import Any

from ..base import PatientPhoto
from .wire import WireError, parse_datetime, parse_id, parse_text

log = logging.getLogger(__name__)

IMAGE_CATEGORIES = 18  # §5.3 ImageCats
PICTURE_FLAG = "P"  # §5.3: ItemValue flag letter of "patient pictures"


class OpenDentalPhotos:
    """The photo read of OpenDentalConnector (uses its HTTP plumbing)."""

    _picture_categories: frozenset[str] | None = None

    def fetch_patient_photo(self, patient_pms_id: str) -> PatientPhoto | None:
        categories = self.picture_categories()
        if not categories:
            return None  # the office has no Patient Pictures category
        rows = self.walk_all(  # type: ignore[attr-defined]
            "documents",
            {"PatNum": self.num(patient_pms_id, "patient")},  # type: ignore[attr-defined]
            f"the documents of patient {patient_pms_id}",
        )
        photos = [
            photo
            for row in rows
            if (photo := self._photo(row, patient_pms_id, categories)) is not None
        ]
        # The picture shown is the newest one; the list is ordered by DateCreated.
        return max(photos, key=_newest, default=None)

    def picture_categories(self) -> frozenset[str]:
        """Return the DefNums of the image categories flagged P (read once)."""
        if self._picture_categories is None:
            rows = self.walk_all(  # type: ignore[attr-defined]
                "definitions",
                {"Category": IMAGE_CATEGORIES, "includeHidden": "true"},
                "the image categories",
            )
            self._picture_categories = frozenset(
                str(row.get("DefNum"))
                for row in rows
                if PICTURE_FLAG in str(row.get("ItemValue") or "")
            )
        return self._picture_categories

    def _photo(
        self, row: Any, patient_pms_id: str, categories: frozenset[str]
    ) -> PatientPhoto | None:
        try:
            if not isinstance(row, dict) or str(row.get("DocNum")) in ("0", ""):
                return None  # §5.9: mount rows have DocNum 0
            if parse_id(row.get("DocCategory"), "DocCategory") not in categories:
                return None
            return PatientPhoto(
                patient_pms_id=patient_pms_id,
                pms_id=parse_id(row.get("DocNum"), "DocNum"),
                taken_at=parse_datetime(
                    row.get("DateCreated"),
                    "DateCreated",
                    self.tz,  # type: ignore[attr-defined]
                ),
                description=parse_text(row.get("Description"), "Description"),
                file_name=parse_text(row.get("FileName"), "FileName"),
            )
        except WireError as exc:
            log.warning("Skipping an unreadable Open Dental document: %s", exc)
            return None


def _newest(photo: PatientPhoto) -> tuple:
    return (photo.taken_at is not None, photo.taken_at, int(photo.pms_id))
