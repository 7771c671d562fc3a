"""Generate appointments and what hangs off them: procedures, payments, notes, docs."""

from __future__ import annotations

import random
from bisect import bisect_right
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from . import records as r

if TYPE_CHECKING:
    from .generator import Tier

# (code, description, fee in cents, summary abbreviation)
HYGIENE = (
    ("D0120", "periodic oral evaluation", 6500, "PerEx"),
    ("D1110", "prophylaxis - adult", 11000, "Pro"),
    ("D0274", "bitewings - four films", 8500, "4BW"),
    ("D1206", "topical fluoride varnish", 4500, "Flo"),
)
RESTORATIVE = (
    ("D0150", "comprehensive oral evaluation", 9500, "CompEx"),
    ("D0220", "intraoral periapical first film", 3000, "PA"),
    ("D2391", "resin composite - one surface, posterior", 18000, "C1"),
    ("D2392", "resin composite - two surfaces, posterior", 22000, "C2"),
    ("D2740", "crown - porcelain/ceramic", 120000, "Crn"),
    ("D2950", "core buildup", 30000, "BU"),
    ("D3330", "endodontic therapy, molar", 110000, "RCT"),
    ("D7140", "extraction, erupted tooth", 21000, "Ext"),
    ("D1351", "sealant - per tooth", 5500, "Seal"),
)
PAST_STATUS = (
    ["complete"] * 82
    + ["broken"] * 7
    + ["unscheduled"] * 4
    + ["scheduled"] * 3
    + ["pt_note_completed"] * 1
    + ["planned"] * 3
)
FUTURE_STATUS = (
    ["scheduled"] * 96 + ["pt_note"] * 1 + ["unscheduled"] * 1 + ["planned"] * 2
)
LENGTHS = (30, 40, 60, 60, 60, 90)
SURFACES = ("O", "MO", "DO", "B", "L", "MOD")


def make_visits(
    rng: random.Random,
    tier: Tier,
    start: date,
    now: datetime,
    patients: list[r.Patient],
    providers: list[r.Provider],
    operatories: list[r.Operatory],
    by_code: dict[tuple[str, str], int],
) -> dict[str, list[r.Record]]:
    """Return appointments, procedures, payments, commlogs and documents."""
    rand, randrange, choice = rng.random, rng.randrange, rng.choice
    conf = {
        code: by_code[(r.CONFIRMATION_STATUS, code)]
        for code in ("unconfirmed", "not_called", "left_message", "sent", "confirmed")
    }
    past_conf = (
        [conf["confirmed"]] * 60
        + [conf["left_message"]] * 15
        + [conf["unconfirmed"]] * 15
        + [conf["sent"]] * 10
    )
    soon_conf = (
        [conf["confirmed"]] * 40
        + [conf["sent"]] * 25
        + [conf["left_message"]] * 10
        + [conf["unconfirmed"]] * 25
    )
    later_conf = (
        [conf["unconfirmed"]] * 80 + [conf["sent"]] * 15 + [conf["not_called"]] * 5
    )
    pay_types = [
        by_code[(r.PAYMENT_TYPE, c)]
        for c in ("cash", "check", "card", "card", "card", "financing")
    ]
    note_appt = by_code[(r.NOTE_TYPE, "appt")]
    note_text = by_code[(r.NOTE_TYPE, "text")]
    doc_cats = [
        by_code[(r.DOCUMENT_CATEGORY, c)]
        for c in ("xray", "forms", "forms", "info", "insurance", "picture")
    ]
    ops = [o for o in operatories if not o.is_hidden]
    eligible = sorted(
        (p for p in patients if p.status in ("patient", "inactive", "prospective")),
        key=lambda p: p.created_at,
    )
    joined = [p.created_at for p in eligible]
    hyg_ids = [p.id for p in providers if p.is_hygienist]
    appts: list[r.Record] = []
    procs: list[r.Record] = []
    pays: list[r.Record] = []
    notes: list[r.Record] = []
    today = now.date()
    horizon = today + timedelta(days=90)
    one_day = timedelta(days=1)
    day = start
    while day <= horizon:
        if day.weekday() >= 5:
            day += one_day
            continue
        ahead = (day - today).days
        count = randrange(tier.per_day[0], tier.per_day[1] + 1)
        if ahead > 0:  # the book thins out further ahead
            count = int(count * max(0.1, 1 - ahead / 100))
        opening = datetime.combine(day, time(8, 0))
        pool = bisect_right(joined, opening) or len(eligible)
        per_op = -(-count // len(ops)) or 1
        slot = (540 // per_op) // 10 * 10 or 10
        for k in range(count):
            op = ops[k % len(ops)]
            begin = opening + timedelta(minutes=(k // len(ops)) * slot)
            length = min(choice(LENGTHS), slot)
            patient = eligible[randrange(pool)]
            past = begin < now
            status = choice(PAST_STATUS if past else FUTURE_STATUS)
            created = begin - timedelta(days=randrange(1, 120), minutes=randrange(600))
            if past:
                modified = begin + timedelta(minutes=length + randrange(600))
                confirmation = choice(past_conf)
            else:
                created = min(created, now - timedelta(minutes=5))
                modified = created + timedelta(
                    seconds=randrange(max(1, int((now - created).total_seconds())))
                )
                confirmation = choice(soon_conf if ahead <= 3 else later_conf)
            modified = min(modified, now - timedelta(seconds=1))
            hygiene = op.is_hygiene
            apt_id = len(appts) + 1
            catalogue = HYGIENE if hygiene else RESTORATIVE
            chosen = rng.sample(catalogue, 1 + randrange(3 if hygiene else 2))
            planned = status == "planned"
            appts.append(
                r.Appointment(
                    id=apt_id,
                    modified_at=modified,
                    patient_id=patient.id,
                    status=status,
                    start=begin,
                    length_min=length,
                    operatory_id=0 if planned else op.id,
                    provider_id=patient.primary_provider_id
                    if rand() < 0.7
                    else op.provider_id,
                    hygienist_id=op.hygienist_id,
                    confirmation_id=confirmation,
                    procedure_summary=", ".join(c[3] for c in chosen),
                    is_new_patient=patient.first_visit == day,
                    is_hygiene=hygiene,
                    priority="asap" if rand() < 0.01 else "normal",
                    note="Pt requested morning appts" if rand() < 0.03 else "",
                    arrived_at=begin - timedelta(minutes=5)
                    if status == "complete"
                    else None,
                    created_at=created,
                )
            )
            if status in ("complete", "scheduled", "broken", "planned"):
                done = status == "complete"
                total = 0
                for code, desc, fee, _ in chosen:
                    total += fee
                    procs.append(
                        r.Procedure(
                            id=len(procs) + 1,
                            modified_at=modified,
                            patient_id=patient.id,
                            appointment_id=apt_id,
                            date=day,
                            code=code,
                            description=desc,
                            fee_cents=fee,
                            status="complete" if done else "planned",
                            provider_id=choice(hyg_ids)
                            if hygiene and hyg_ids
                            else op.provider_id,
                            tooth=str(randrange(1, 33)) if not hygiene else "",
                            surface=choice(SURFACES) if code.startswith("D23") else "",
                            created_at=created,
                        )
                    )
                if done and rand() < 0.6:
                    paid = day + timedelta(days=0 if rand() < 0.7 else randrange(1, 30))
                    paid_at = datetime.combine(paid, time(17, randrange(60)))
                    if paid_at < now:
                        pays.append(
                            r.Payment(
                                id=len(pays) + 1,
                                modified_at=paid_at,
                                patient_id=patient.guarantor_id,
                                amount_cents=total
                                * randrange(20, 101)
                                // 100
                                // 100
                                * 100,
                                date=paid,
                                entered=paid,
                                type_id=choice(pay_types),
                                check_number=str(randrange(1000, 9999))
                                if rand() < 0.1
                                else "",
                                provider_id=op.provider_id,
                            )
                        )
            if rand() < 0.2 and status != "planned":
                at = min(
                    begin - timedelta(days=2, hours=randrange(8)),
                    now - timedelta(minutes=1),
                )
                text = rand() < 0.6
                notes.append(
                    r.Commlog(
                        id=len(notes) + 1,
                        modified_at=at,
                        patient_id=patient.id,
                        at=at,
                        type_id=note_text if text else note_appt,
                        mode="text" if text else "phone",
                        direction="sent",
                        entered_at=at,
                        note="Appointment reminder sent"
                        if text
                        else "Called to confirm appointment, left message",
                    )
                )
        day += one_day
    picture = by_code[(r.DOCUMENT_CATEGORY, "picture")]
    docs = _documents(rng, patients, now, doc_cats, picture)
    return {
        r.APPOINTMENT: appts,
        r.PROCEDURE: procs,
        r.PAYMENT: pays,
        r.COMMLOG: notes,
        r.DOCUMENT: docs,
    }


def _documents(
    rng: random.Random,
    patients: list[r.Patient],
    now: datetime,
    cats: list[int],
    picture: int,
) -> list[r.Record]:
    """Return scans, and photos (JPEGs) in the Patient Pictures category."""
    docs: list[r.Record] = []
    for patient in patients:
        if rng.random() >= 0.3:
            continue
        created = min(
            patient.created_at + timedelta(days=rng.randrange(0, 400)),
            now - timedelta(minutes=1),
        )
        doc_id = len(docs) + 1
        category = rng.choice(cats)
        photo = category == picture
        extension = ".jpg" if photo else ".pdf"
        docs.append(
            r.Document(
                id=doc_id,
                modified_at=created,
                patient_id=patient.id,
                created_at=created,
                category_id=category,
                # opendental-api.md §5.9 example: a picture described by its date.
                description=f"{created:%-m-%-d-%Y}"
                if photo
                else f"Scan {created:%m-%d-%Y}",
                file_name=f"{patient.last_name}{patient.first_name}{doc_id}{extension}",
                extension=extension,
                img_type="photo" if photo else "document",
            )
        )
    return docs
