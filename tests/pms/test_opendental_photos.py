"""Open Dental patient pictures: the newest document in a "P" image category."""

from datetime import datetime
from urllib.parse import parse_qs

import pytest

from pms.base import Capability, PmsError
from pms.registry import CONNECTORS, connector_for
from pms.simulator import records as r

from .faces import FACES

HOOKS = FACES["open_dental"]


def picture_category(store) -> int:
    return next(
        d.id
        for d in store.query(r.DEFINITION)
        if d.kind == r.DOCUMENT_CATEGORY and "P" in d.value
    )


def add_document(store, patient_id: int, category: int, created: datetime):
    return store.insert(
        r.DOCUMENT,
        r.Document(
            patient_id=patient_id,
            created_at=created,
            category_id=category,
            description=f"{created:%-m-%-d-%Y}",
            file_name=f"Pic{patient_id}.jpg",
            extension=".jpg",
            img_type="photo",
        ),
    )


@pytest.fixture
def od(sim_practice):
    connector = connector_for(HOOKS.config(sim_practice))
    yield connector
    connector.close()


def test_it_returns_the_newest_picture_and_ignores_other_documents(sim_practice, od):
    store = sim_practice.store
    patient = store.query(r.PATIENT, limit=1)[0]
    pictures = picture_category(store)
    scans = next(
        d.id
        for d in store.query(r.DEFINITION)
        if d.kind == r.DOCUMENT_CATEGORY and d.code == "xray"
    )
    for doc in store.query(r.DOCUMENT, patient_id=patient.id):
        store.delete(r.DOCUMENT, doc.id)
    old = add_document(store, patient.id, pictures, datetime(2023, 5, 1, 9, 30))
    new = add_document(store, patient.id, pictures, datetime(2024, 1, 2, 10, 0))
    add_document(store, patient.id, scans, datetime(2024, 6, 1, 8, 0))

    photo = od.fetch_patient_photo(str(patient.id))

    assert photo is not None and photo.pms_id == str(new.id) != str(old.id)
    assert photo.taken_at.replace(tzinfo=None) == datetime(2024, 1, 2, 10, 0)
    assert photo.taken_at.tzinfo is not None
    assert (photo.patient_pms_id, photo.description) == (str(patient.id), "1-2-2024")


def test_a_patient_without_pictures_has_none_and_categories_are_read_once(
    sim_practice, od
):
    store = sim_practice.store
    pictures = picture_category(store)
    with_pictures = {d.patient_id for d in store.query(r.DOCUMENT)}
    without = [p for p in store.query(r.PATIENT) if p.id not in with_pictures][:2]

    assert [od.fetch_patient_photo(str(p.id)) for p in without] == [None, None]

    calls = [(q["path"], parse_qs(q["query"])) for q in sim_practice.requests()]
    definitions = [q for path, q in calls if path.endswith("/definitions")]
    documents = [q for path, q in calls if path.endswith("/documents")]
    assert definitions == [
        {
            "Category": ["18"],
            "includeHidden": ["true"],
            "Limit": ["100"],
            "Offset": ["0"],
        }
    ]
    assert [q["PatNum"] for q in documents] == [[str(p.id)] for p in without]
    assert pictures  # the simulator's Patient Pictures category is flagged "P"


@pytest.mark.parametrize("pms_type", ["dentrix_ascend", "eaglesoft", "dentrix"])
def test_the_other_pms_do_not_offer_photos(sim_practice, pms_type):
    assert Capability.READ_PHOTOS not in CONNECTORS[pms_type].capabilities
    connector = connector_for(FACES[pms_type].config(sim_practice))
    try:
        with pytest.raises(PmsError, match="not offered by") as raised:
            connector.fetch_patient_photo("1")
    finally:
        connector.close()
    assert raised.value.permanent and sim_practice.requests() == []
