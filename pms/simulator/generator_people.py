"""Generate providers, operatories and patients (in families)."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from . import records as r

if TYPE_CHECKING:
    from .generator import Tier

FIRST_F = (
    "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen "
    "Lisa Nancy Betty Sandra Margaret Ashley Kimberly Emily Donna Michelle Carol "
    "Amanda Melissa Deborah Stephanie Rebecca Laura Sharon Cynthia Amy Angela "
    "Anna Brenda Emma Olivia Sofia Isabella Mia Ava Chloe Grace Lucia"
).split()
FIRST_M = (
    "James Robert John Michael David William Richard Joseph Thomas Charles "
    "Christopher Daniel Matthew Anthony Mark Donald Steven Paul Andrew Joshua "
    "Kenneth Kevin Brian George Timothy Ronald Jason Edward Jeffrey Ryan Jacob "
    "Gary Nicholas Eric Jonathan Liam Noah Ethan Lucas Mateo Diego Wei Hiro"
).split()
LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez "
    "Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin "
    "Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker "
    "Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson "
    "Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner "
    "Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook "
    "Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos "
    "Kim Cox Ward Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza "
    "Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster "
    "O'Brien De Angelo"
).split()
STREETS = (
    "Main St,Oak Ave,Maple Dr,Cedar Ln,Pine St,Elm St,Washington Blvd,Lake Rd,"
    "Hill St,Park Ave,Sunset Blvd,River Rd,Satin Heights,Mission St"
).split(",")
CITIES = (
    ("Springfield", "IL", "627"),
    ("Salem", "OR", "973"),
    ("Franklin", "TN", "370"),
    ("Madison", "WI", "537"),
    ("Georgetown", "TX", "786"),
    ("Clinton", "NY", "133"),
)
STATUS_MIX = (
    ("patient", 850),
    ("inactive", 80),
    ("nonpatient", 30),
    ("archived", 20),
    ("prospective", 12),
    ("deceased", 5),
    ("deleted", 3),
)


def make_providers_and_operatories(
    rng: random.Random, tier: Tier, at: datetime, by_code: dict[tuple[str, str], int]
) -> tuple[list[r.Provider], list[r.Operatory]]:
    """Return providers (dentists, hygienists, some inactive) and operatories."""
    general = by_code[(r.PROVIDER_SPECIALTY, "general")]
    hygiene = by_code[(r.PROVIDER_SPECIALTY, "hygienist")]
    providers: list[r.Provider] = []
    plan = (
        [("DOC", False)] * tier.dentists
        + [("HYG", True)] * tier.hygienists
        + [("OLD", False)] * tier.inactive_providers
    )
    for i, (abbr, is_hyg) in enumerate(plan, start=1):
        female = rng.random() < 0.55
        inactive = abbr == "OLD"
        providers.append(
            r.Provider(
                id=i,
                modified_at=at + timedelta(minutes=i),
                abbr=f"{abbr}{sum(p.abbr.startswith(abbr) for p in providers) + 1}",
                first_name=rng.choice(FIRST_F if female else FIRST_M),
                last_name=rng.choice(LAST),
                middle_initial=chr(65 + rng.randrange(26)),
                is_hygienist=is_hyg,
                is_hidden=inactive,
                is_deleted=inactive and i == len(plan),
                hide_on_reports=inactive,
                specialty_id=hygiene if is_hyg else general,
                color=(rng.randrange(256), rng.randrange(256), rng.randrange(256)),
                state_license=f"D{rng.randrange(1000, 99999)}",
                npi=str(rng.randrange(1_000_000_000, 1_999_999_999)),
            )
        )
    dentists = [p for p in providers if not p.is_hygienist and not p.is_hidden]
    hygienists = [p for p in providers if p.is_hygienist]
    operatories = []
    for i in range(1, tier.operatories + 1):
        hyg = i % 2 == 0 and bool(hygienists)
        operatories.append(
            r.Operatory(
                id=i,
                modified_at=at,
                name=f"Operatory {i}",
                abbrev=f"OP-{i}",
                order=i - 1,
                provider_id=dentists[(i - 1) % len(dentists)].id,
                hygienist_id=hygienists[(i - 1) % len(hygienists)].id if hyg else 0,
                is_hygiene=hyg,
                is_web_sched=i <= 2,
            )
        )
    operatories.append(
        r.Operatory(
            id=tier.operatories + 1,
            modified_at=at,
            name="Old Chair",
            abbrev="OP-OLD",
            order=tier.operatories,
            is_hidden=True,
        )
    )
    return providers, operatories


def make_patients(
    rng: random.Random,
    tier: Tier,
    providers: list[r.Provider],
    start: date,
    now: datetime,
    by_code: dict[tuple[str, str], int],
) -> list[r.Patient]:
    """Return `tier.patients` patients in families (guarantor first)."""
    rand, randrange, choice = rng.random, rng.randrange, rng.choice
    dentists = [p.id for p in providers if not p.is_hygienist and not p.is_hidden]
    billing = [by_code[(r.BILLING_TYPE, c)] for c in ("standard", "insurance")]
    statuses = [s for s, weight in STATUS_MIX for _ in range(weight)]
    span = (now - datetime.combine(start, datetime.min.time())).days
    today = now.date()
    patients: list[r.Patient] = []
    next_id = 1
    while next_id <= tier.patients:
        size = min(
            choice((1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5)), tier.patients - next_id + 1
        )
        last = choice(LAST)
        city, state, area = choice(CITIES)
        address = f"{randrange(10, 9999)} {choice(STREETS)}"
        zip_code = f"{area}{randrange(10, 99)}"
        home = f"({area}){randrange(200, 999)}-{randrange(1000, 9999)}"
        joined = start + timedelta(days=randrange(-365 * 3, span))
        guarantor = next_id
        for member in range(size):
            pid = next_id
            next_id += 1
            female = rand() < 0.52
            first = choice(FIRST_F if female else FIRST_M)
            age = randrange(25, 80) if member < 2 else randrange(2, 20)
            birth = today - timedelta(days=age * 365 + randrange(365))
            created = datetime.combine(joined, datetime.min.time()) + timedelta(
                hours=8 + randrange(9), minutes=randrange(60), seconds=randrange(60)
            )
            created = min(created, now - timedelta(hours=1))
            modified = created + timedelta(
                seconds=randrange(max(1, int((now - created).total_seconds())))
            )
            status = choice(statuses)
            mobile = f"({area}){randrange(200, 999)}-{randrange(1000, 9999)}"
            patients.append(
                r.Patient(
                    id=pid,
                    modified_at=modified,
                    guarantor_id=guarantor,
                    last_name=last if member < 2 or rand() < 0.9 else choice(LAST),
                    first_name=first,
                    middle_initial=chr(65 + randrange(26)) if rand() < 0.4 else "",
                    preferred_name=first[:3] if rand() < 0.05 else "",
                    status=status,
                    gender="female" if female else "male",
                    position="married"
                    if member < 2 and size > 1
                    else ("child" if member >= 2 else "single"),
                    birthdate=birth if rand() < 0.97 else None,
                    address=address,
                    city=city,
                    state=state,
                    zip=zip_code,
                    home_phone=home if rand() < 0.6 else "",
                    work_phone=f"({area}){randrange(200, 999)}-{randrange(1000, 9999)}"
                    if rand() < 0.15
                    else "",
                    mobile_phone=mobile if age >= 13 and rand() < 0.9 else "",
                    email=f"{first}.{last}{randrange(100)}@example.com".lower()
                    if age >= 13 and rand() < 0.75
                    else "",
                    primary_provider_id=choice(dentists),
                    billing_type_id=choice(billing),
                    first_visit=joined if joined <= today else None,
                    chart_number=f"C{pid:06d}" if rand() < 0.3 else "",
                    language=choice(("eng", "eng", "eng", "spa", "")),
                    preferred_contact=choice(
                        ("none", "mobile_phone", "text", "email", "home_phone")
                    ),
                    preferred_confirm=choice(("none", "text", "email")),
                    preferred_recall=choice(("none", "text", "email", "mail")),
                    txt_ok=choice(("unknown", "yes", "yes", "no")),
                    balance_cents=randrange(0, 60000)
                    if member == 0 and rand() < 0.3
                    else 0,
                    created_at=created,
                )
            )
    return patients
