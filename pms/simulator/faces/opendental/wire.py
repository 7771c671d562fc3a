"""Open Dental wire shapes: records to PascalCase JSON (opendental-api.md §1.6, §5)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ... import records as r
from ...store import Store

EMPTY_DATE = "0001-01-01"  # §1.6: "no value"
EMPTY_DATETIME = "0001-01-01 00:00:00"

# §7 enum names on the wire, from the store's neutral words.
APT_STATUS = {
    "scheduled": "Scheduled",
    "complete": "Complete",
    "unscheduled": "UnschedList",
    "broken": "Broken",
    "planned": "Planned",
    "pt_note": "PtNote",
    "pt_note_completed": "PtNoteCompleted",
}
PAT_STATUS = {
    "patient": "Patient",
    "nonpatient": "NonPatient",
    "inactive": "Inactive",
    "archived": "Archived",
    "deleted": "Deleted",
    "deceased": "Deceased",
    "prospective": "Prospective",
}
PROC_STATUS = {
    "planned": "TP",
    "complete": "C",
    "existing_current": "EC",
    "existing_other": "EO",
    "referred": "R",
    "deleted": "D",
    "condition": "Cn",
    "planned_inactive": "TPi",
}
GENDER = {"male": "Male", "female": "Female", "unknown": "Unknown", "other": "Other"}
POSITION = {p: p.title() for p in r.POSITIONS}
CONTACT = {
    "none": "None",
    "do_not_call": "DoNotCall",
    "home_phone": "HmPhone",
    "work_phone": "WkPhone",
    "mobile_phone": "WirelessPh",
    "email": "Email",
    "see_notes": "SeeNotes",
    "mail": "Mail",
    "text": "TextMessage",
}
TXT_OK = {"unknown": "Unknown", "yes": "Yes", "no": "No"}
# §5.7: GET renders the enum names; POST also takes the spaced display names.
COMM_MODE = {
    "none": "None",
    "email": "Email",
    "mail": "Mail",
    "phone": "Phone",
    "in_person": "InPerson",
    "text": "Text",
    "email_and_text": "EmailAndText",
    "phone_and_text": "PhoneAndText",
}
SENT_OR_RECEIVED = {"neither": "Neither", "sent": "Sent", "received": "Received"}
IMG_TYPE = {t: t.title() for t in r.IMAGE_TYPES}
# apischedules.html: SchedType names (WebSchedASAP rows are never generated).
SCHED_TYPE = {
    "practice": "Practice",
    "provider": "Provider",
    "blockout": "Blockout",
    "employee": "Employee",
}
# §5.3: DefCat numbers of the reference lists the store keeps.
DEF_CATEGORY = {
    r.CONFIRMATION_STATUS: (2, "ApptConfirmed"),
    r.BILLING_TYPE: (4, "BillingTypes"),
    r.PAYMENT_TYPE: (10, "PaymentTypes"),
    r.UNSCHED_STATUS: (13, "RecallUnschedStatus"),
    r.DOCUMENT_CATEGORY: (18, "ImageCats"),
    r.NOTE_TYPE: (27, "CommLogTypes"),
    r.BLOCKOUT_TYPE: (25, "BlockoutTypes"),
    r.PROVIDER_SPECIALTY: (35, "ProviderSpecialties"),
}
CATEGORY_KIND = {num: kind for kind, (num, _) in DEF_CATEGORY.items()}


def reverse(mapping: dict[str, str]) -> dict[str, str]:
    """Return wire name -> neutral word."""
    return {v: k for k, v in mapping.items()}


def d(value: date | None) -> str:
    return value.isoformat() if value else EMPTY_DATE


def dt(value: datetime | None) -> str:
    return value.isoformat(" ", "seconds") if value else EMPTY_DATETIME


def b(value: bool) -> str:
    return "true" if value else "false"  # §1.6: booleans are strings


def text(value: str) -> str:
    return value.replace("\r\n", " ").replace("\n", " ")  # §1.6: CR/LF as spaces


def money(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _name(store: Store, def_id: int) -> str:
    found = store.get(r.DEFINITION, def_id) if def_id else None
    return found.name if found else ""


def _abbr(store: Store, prov_id: int) -> str:
    found = store.get(r.PROVIDER, prov_id) if prov_id else None
    return found.abbr if found else ""


def patient(store: Store, p: r.Patient) -> dict[str, Any]:
    """Return the GET single / Simple shape (§5.1)."""
    return {
        "PatNum": p.id,
        "LName": p.last_name,
        "FName": p.first_name,
        "MiddleI": p.middle_initial,
        "Preferred": p.preferred_name,
        "PatStatus": PAT_STATUS[p.status],
        "Gender": GENDER[p.gender],
        "Position": POSITION[p.position],
        "Birthdate": d(p.birthdate),
        "SSN": p.ssn,
        "Address": p.address,
        "Address2": p.address2,
        "City": p.city,
        "State": p.state,
        "Zip": p.zip,
        "HmPhone": p.home_phone,
        "WkPhone": p.work_phone,
        "WirelessPhone": p.mobile_phone,
        "Guarantor": p.guarantor_id,
        "Email": p.email,
        "EstBalance": p.balance_cents / 100,
        "PriProv": p.primary_provider_id,
        "priProvAbbr": _abbr(store, p.primary_provider_id),
        "SecProv": p.secondary_provider_id,
        "secProvAbbr": _abbr(store, p.secondary_provider_id),
        "BillingType": _name(store, p.billing_type_id),  # §5.1: the def's name
        "ImageFolder": f"{p.last_name}{p.first_name}{p.id}".replace(" ", ""),
        "FamFinUrgNote": "",
        "ChartNumber": p.chart_number,
        "MedicaidID": "",
        "BalTotal": p.balance_cents / 100 if p.guarantor_id == p.id else 0.0,
        "EmployerNum": 0,
        "DateFirstVisit": d(p.first_visit),
        "ClinicNum": p.clinic_id,
        "clinicAbbr": "",
        "Premed": "false",
        "Ward": "",
        "PreferConfirmMethod": CONTACT[p.preferred_confirm],
        "PreferContactMethod": CONTACT[p.preferred_contact],
        "PreferRecallMethod": CONTACT[p.preferred_recall],
        "Language": p.language,
        "AdmitDate": EMPTY_DATE,
        "siteDesc": "",
        "DateTStamp": dt(p.modified_at),
        "SuperFamily": p.super_family_id,
        "TxtMsgOk": TXT_OK[p.txt_ok],
        "SecDateEntry": d(p.created_at.date()),
    }


PATIENT_LIST_FIELDS = (
    "PatNum",
    "LName",
    "FName",
    "MiddleI",
    "Preferred",
    "PatStatus",
    "Birthdate",
    "SSN",
    "Address",
    "Address2",
    "City",
    "State",
    "Zip",
    "HmPhone",
    "WkPhone",
    "WirelessPhone",
    "Email",
    "priProvAbbr",
    "secProvAbbr",
    "BillingType",
    "ChartNumber",
    "ClinicNum",
    "clinicAbbr",
    "siteDesc",
    "TxtMsgOk",
)


def pattern(minutes: int) -> str:
    """Return an appointment Pattern: one character per 5 minutes (§5.2)."""
    slots = max(1, minutes // 5)
    return "/" * slots if slots < 3 else "/" + "X" * (slots - 2) + "/"


def appointment(store: Store, a: r.Appointment) -> dict[str, Any]:
    """Return the appointment shape (§5.2), without serverDateTime."""
    return {
        "AptNum": a.id,
        "PatNum": a.patient_id,
        "AptStatus": APT_STATUS[a.status],
        "Pattern": pattern(a.length_min),
        "Confirmed": a.confirmation_id,
        "confirmed": _name(store, a.confirmation_id),
        "TimeLocked": "false",
        "Op": a.operatory_id,
        "Note": text(a.note),
        "ProvNum": a.provider_id,
        "provAbbr": _abbr(store, a.provider_id),
        "ProvHyg": a.hygienist_id,
        "AptDateTime": dt(a.start),
        "NextAptNum": a.next_appointment_id,
        "UnschedStatus": a.unsched_status_id,
        "unschedStatus": _name(store, a.unsched_status_id),
        "IsNewPatient": b(a.is_new_patient),
        "ProcDescript": a.procedure_summary,
        "ClinicNum": a.clinic_id,
        "IsHygiene": b(a.is_hygiene),
        "DateTStamp": dt(a.modified_at),
        "DateTimeArrived": dt(a.arrived_at),
        "DateTimeSeated": dt(a.seated_at),
        "DateTimeDismissed": dt(a.dismissed_at),
        "InsPlan1": 0,
        "InsPlan2": 0,
        "DateTimeAskedToArrive": EMPTY_DATETIME,
        "colorOverride": "0,0,0",
        "AppointmentTypeNum": a.appointment_type_id,
        "SecUserNumEntry": 0,
        "SecDateTEntry": dt(a.created_at),
        "Priority": "ASAP" if a.priority == "asap" else "Normal",
        "PatternSecondary": "/" * len(pattern(a.length_min)),
        "ItemOrderPlanned": 0,
    }


def provider(p: r.Provider) -> dict[str, Any]:
    """Return the provider shape (§5.4), without serverDateTime."""
    return {
        "ProvNum": p.id,
        "Abbr": p.abbr,
        "LName": p.last_name,
        "FName": p.first_name,
        "MI": p.middle_initial,
        "Suffix": p.suffix,
        "FeeSched": 0,
        "Specialty": p.specialty_id,
        "SSN": "",
        "StateLicense": p.state_license,
        "IsSecondary": b(p.is_hygienist),
        "provColor": ",".join(map(str, p.color)),
        "IsHidden": b(p.is_hidden),
        "UsingTIN": "true",
        "SigOnFile": "true",
        "NationalProvID": p.npi,
        "DateTStamp": dt(p.modified_at),
        "IsNotPerson": b(p.is_not_person),
        "ProvStatus": "Deleted" if p.is_deleted else "Active",
        "IsHiddenReport": b(p.hide_on_reports),
        "Birthdate": d(p.birthdate),
        "SchedNote": "",
        "PreferredName": p.preferred_name,
    }


def operatory(o: r.Operatory) -> dict[str, Any]:
    """Return the operatory shape (§5.5)."""
    return {
        "OperatoryNum": o.id,
        "OpName": o.name,
        "Abbrev": o.abbrev,
        "ItemOrder": o.order,
        "IsHidden": b(o.is_hidden),
        "ProvDentist": o.provider_id,
        "ProvHygienist": o.hygienist_id,
        "IsHygiene": b(o.is_hygiene),
        "ClinicNum": o.clinic_id,
        "SetProspective": "false",
        "IsWebSched": b(o.is_web_sched),
        "OperatoryType": 0,
        "operatoryType": "",
    }


def definition(x: r.Definition) -> dict[str, Any]:
    """Return the definition shape (§5.3); note the lowercase `isHidden`."""
    number, name = DEF_CATEGORY[x.kind]
    return {
        "DefNum": x.id,
        "ItemName": x.name,
        "ItemValue": x.value,
        "Category": number,
        "category": name,
        "isHidden": b(x.is_hidden),
    }


def commlog(store: Store, c: r.Commlog) -> dict[str, Any]:
    """Return the commlog shape (§5.7); CommType is a string in the doc example."""
    return {
        "CommlogNum": c.id,
        "PatNum": c.patient_id,
        "CommDateTime": dt(c.at),
        "CommType": str(c.type_id),
        "commType": _name(store, c.type_id),
        "Note": text(c.note),
        "Mode_": COMM_MODE[c.mode],
        "SentOrReceived": SENT_OR_RECEIVED[c.direction],
        "UserNum": c.user_id,
        "DateTStamp": dt(c.modified_at),
        "CommSource": "User" if c.source in ("user", "api") else "ApptReminder",
        "ProgramNum": 0,
        "DateTEntry": dt(c.entered_at),
        "ReferralNum": 0,
    }


def document(store: Store, x: r.Document, *, listed: bool) -> dict[str, Any]:
    """Return the document shape (§5.9); the list form has PatNum/ProvNum strings."""
    data: dict[str, Any] = {
        "DocNum": x.id,
        "Description": x.description,
        "DateCreated": dt(x.created_at),
        "DocCategory": x.category_id,
        "docCategory": _name(store, x.category_id),
        "PatNum": str(x.patient_id) if listed else x.patient_id,
        "FileName": x.file_name,
        "ImgType": IMG_TYPE[x.img_type],
        "ToothNumbers": x.tooth_numbers,
        "DateTStamp": dt(x.modified_at),
        "ProvNum": str(x.provider_id) if listed else x.provider_id,
        "PrintHeading": "false",
    }
    if listed:
        data.update(MountNum=0, filePath="", Note=text(x.note))
    return data


def payment(store: Store, p: r.Payment) -> dict[str, Any]:
    """Return the payment shape (§5.10): PayAmt and ClinicNum are strings."""
    amount = money(p.amount_cents)
    return {
        "PayNum": p.id,
        "PayType": p.type_id,
        "payType": _name(store, p.type_id),
        "PayDate": d(p.date),
        "PayAmt": amount[:-3] if amount.endswith(".00") else amount,
        "CheckNum": p.check_number,
        "BankBranch": p.bank_branch,
        "PayNote": text(p.note),
        "PatNum": p.patient_id,
        "ClinicNum": str(p.clinic_id),
        "DateEntry": d(p.entered),
        "DepositNum": 0,
        "Receipt": "",
        "IsRecurringCC": b(p.is_recurring),
        "SecUserNumEntry": 0,
        "SecDateTEdit": dt(p.modified_at),
        "PaymentSource": "API" if p.source == "api" else "None",
        "ProcessStatus": "OfficeProcessed",
        "RecurringChargeDate": EMPTY_DATE,
        "IsCcCompleted": "false",
    }


def procedure(store: Store, p: r.Procedure) -> dict[str, Any]:
    """Return the procedure-log shape (§5.11): ProcFee is a string."""
    return {
        "ProcNum": p.id,
        "PatNum": p.patient_id,
        "AptNum": p.appointment_id,
        "ProcDate": d(p.date),
        "ProcFee": money(p.fee_cents),
        "Surf": p.surface,
        "ToothNum": p.tooth,
        "ToothRange": "",
        "Priority": 0,
        "priority": "",
        "ProcStatus": PROC_STATUS[p.status],
        "ProvNum": p.provider_id,
        "provAbbr": _abbr(store, p.provider_id),
        "Dx": 0,
        "dxName": "",
        "PlannedAptNum": 0,
        "Prosthesis": "",
        "DateOriginalProsth": EMPTY_DATE,
        "ClinicNum": p.clinic_id,
        "CodeNum": int(p.code[1:]) if p.code[1:].isdigit() else 0,
        "procCode": p.code,
        "descript": p.description,
        "UnitQty": 1,
        "BaseUnits": 0,
        "DateTStamp": dt(p.modified_at),
        "IsDateProsthEst": "false",
    }


def schedule(store: Store, x: r.Schedule) -> dict[str, Any]:
    """Return the schedule shape (apischedules.html): every value is a string.

    BlockoutType is 0 unless a blockout, ProvNum unless a provider entry,
    EmployeeNum unless an employee entry; `operatories` is a comma list of
    OperatoryNums.
    """
    return {
        "ScheduleNum": str(x.id),
        "SchedDate": d(x.date),
        "StartTime": x.start.strftime("%H:%M:%S"),
        "StopTime": x.stop.strftime("%H:%M:%S"),
        "SchedType": SCHED_TYPE[x.type],
        "ProvNum": str(x.provider_id if x.type == "provider" else 0),
        "BlockoutType": str(x.blockout_type_id if x.type == "blockout" else 0),
        "blockoutType": _name(store, x.blockout_type_id)
        if x.type == "blockout"
        else "",
        "Note": text(x.note),
        "operatories": ",".join(str(o) for o in x.operatory_ids),
        "EmployeeNum": str(x.employee_id if x.type == "employee" else 0),
        "DateTStamp": dt(x.modified_at),
    }
