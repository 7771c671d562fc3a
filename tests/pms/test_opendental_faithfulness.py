"""The Open Dental connector speaks exactly as shared/pms/opendental-api.md says.

Requests are observed on the wire by a tiny local HTTP server, which also serves
the doc's own example bodies (copied verbatim from the doc's sections).
"""

import base64
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pms.base import (
    AppointmentRequest,
    ConfirmationRequest,
    ConnectionConfig,
    DocumentRequest,
    Entity,
    NoteChannel,
    NoteDirection,
    NoteRequest,
    PatientRequest,
    PaymentRequest,
    WriteKind,
)
from pms.opendental import OpenDentalConnector
from pms.opendental.connector import is_local

from .httpd import Reply, recording_server

DENVER = ZoneInfo("America/Denver")

EXAMPLES = json.loads(
    (Path(__file__).with_name("opendental_examples.json")).read_text()
)
PATIENT = EXAMPLES["patient"]  # §5.1
APPOINTMENT = EXAMPLES["appointment"]  # §5.2
PROVIDER = EXAMPLES["provider"]  # §5.4
DEFINITION = EXAMPLES["definition"]  # §5.3
OPERATORY = EXAMPLES["operatory"]  # §5.5
COMMLOG = EXAMPLES["commlog"]  # §5.7
PAYMENT = EXAMPLES["payment"]  # §5.10
DOCUMENT = EXAMPLES["document"]  # §5.9


@pytest.fixture
def server():
    with recording_server() as recorder:
        yield recorder


def connector(server, **overrides):
    config = ConnectionConfig(
        connection_id=1,
        pms_type="open_dental",
        base_url=f"{server.url}/api/v1",
        credentials={"developer_key": "DevKey123", "customer_key": "CustKey456"},
        time_zone=DENVER,
        request_interval_ms=0,
        **overrides,
    )
    return OpenDentalConnector(config)


def test_every_request_carries_the_odfhir_header_and_json_content_type(server):
    server.route = lambda seen: Reply(201 if seen.method == "POST" else 200, [])
    od = connector(server)
    od.fetch_changed(Entity.PATIENT, None)
    od.fetch_reference()
    server.reply(Reply(201, {"CommlogNum": 5}))
    od.write_note(note_request())

    assert len(server.seen) >= 8
    for seen in server.seen:
        # §1.3 and §1.4: GETs included.
        assert seen.headers["Authorization"] == "ODFHIR DevKey123/CustKey456"
        assert seen.headers["Content-Type"] == "application/json"


def test_lists_page_with_limit_and_offset_until_a_short_page(server):
    rows = [
        dict(PATIENT, PatNum=n, serverDateTime="2021-12-09 10:00:00")
        for n in range(1, 251)
    ]

    def route(seen):
        offset, limit = int(seen.query["Offset"]), int(seen.query["Limit"])
        return Reply(200, rows[offset : offset + limit])

    server.route = route
    od = connector(server)
    cursor, pages = None, []
    while True:
        page = od.fetch_changed(Entity.PATIENT, cursor)
        pages.append(len(page.records))
        cursor = page.cursor
        if not page.has_more:
            break

    assert pages == [100, 100, 50]
    assert [(s.query["Limit"], s.query["Offset"]) for s in server.seen] == [
        ("100", "0"),
        ("100", "100"),
        ("100", "200"),
    ]
    # §3.1: patient changes come from /patients/Simple (GET /patients has none).
    assert {s.path for s in server.seen} == {"/api/v1/patients/Simple"}


def test_a_full_page_of_100_is_not_the_end_even_when_more_was_asked(server):
    rows = [dict(PATIENT, PatNum=n) for n in range(1, 151)]
    server.route = lambda seen: Reply(
        200,
        rows[int(seen.query["Offset"]) :][:100],  # a remote server's cap
    )
    od = connector(server, page_size=1000)

    first = od.fetch_changed(Entity.PATIENT, None)
    second = od.fetch_changed(Entity.PATIENT, first.cursor)

    assert first.has_more and not second.has_more
    assert len(first.records) + len(second.records) == 150
    assert server.seen[1].query["Offset"] == "100"


def test_the_watermark_is_the_first_pages_server_time_sent_back_as_date_t_stamp(
    server,
):
    pages = {
        "0": [
            dict(APPOINTMENT, AptNum=n, serverDateTime="2021-05-04 09:32:45")
            for n in range(100)
        ],
        "100": [dict(APPOINTMENT, AptNum=1000, serverDateTime="2021-05-04 09:33:50")],
    }
    server.route = lambda seen: Reply(200, pages.get(seen.query["Offset"], []))
    od = connector(server)

    first = od.fetch_changed(Entity.APPOINTMENT, None)
    last = od.fetch_changed(Entity.APPOINTMENT, first.cursor)
    server.route = lambda seen: Reply(200, [])
    od.fetch_changed(Entity.APPOINTMENT, last.cursor)

    assert "DateTStamp" not in server.seen[0].query  # the first walk pulls all
    # §3.2: the first page's serverDateTime, less the overlap, in the
    # documented "yyyy-MM-dd HH:mm:ss" form and percent-encoded (§1.7).
    assert server.seen[-1].raw_path == (
        "/api/v1/appointments?DateTStamp=2021-05-04%2009%3A32%3A15&Limit=100&Offset=0"
    )


def test_payments_are_followed_by_their_entry_date(server):
    server.route = lambda seen: Reply(200, [PAYMENT])
    od = connector(server)

    page = od.fetch_changed(Entity.PAYMENT, None)
    od.fetch_changed(Entity.PAYMENT, page.cursor)

    # §3.1: DateEntry, "yyyy-MM-dd", on or after; a day of overlap.
    assert server.seen[-1].query["DateEntry"] == "2022-08-25"


def test_the_doc_examples_parse_into_records(server):
    server.route = lambda seen: Reply(
        200,
        {
            "/api/v1/patients/Simple": [
                dict(PATIENT, serverDateTime="2021-12-09 10:00:00")
            ],
            "/api/v1/appointments": [APPOINTMENT],
            "/api/v1/providers": [PROVIDER],
            "/api/v1/payments": [PAYMENT],
        }[seen.path],
    )
    od = connector(server)

    patient = od.fetch_changed(Entity.PATIENT, None).records[0]
    appointment = od.fetch_changed(Entity.APPOINTMENT, None).records[0]
    provider = od.fetch_changed(Entity.PROVIDER, None).records[0]
    payment = od.fetch_changed(Entity.PAYMENT, None).records[0]

    assert (patient.pms_id, patient.first_name, patient.last_name) == (
        "48",
        "Jane",
        "Smith",
    )
    assert patient.birthdate == date(1976, 5, 24)
    assert patient.phone == "(536)987-4822" and patient.guarantor_pms_id == "48"
    assert patient.modified_at == datetime(2021, 12, 8, 15, 34, 34, tzinfo=DENVER)
    assert not patient.is_deleted
    assert appointment.start_at == datetime(2020, 7, 31, 8, 30, tzinfo=DENVER)
    assert appointment.duration_minutes == 40  # §5.2: 8 pattern slots of 5 min
    assert (appointment.confirmation_pms_id, appointment.operatory_pms_id) == (
        "19",
        "3",
    )
    assert appointment.status == "Scheduled" and appointment.provider_pms_id == "1"
    assert (provider.pms_id, provider.abbreviation, provider.active) == (
        "1",
        "DOC1",
        True,
    )
    # §1.6: PayAmt and ClinicNum come as strings.
    assert payment.amount == Decimal("339") and payment.paid_on == date(2022, 6, 24)
    assert (payment.pms_id, payment.patient_pms_id, payment.payment_type_pms_id) == (
        "56734",
        "1337",
        "69",
    )


def test_reference_lists_come_from_the_documented_categories(server):
    def route(seen):
        if seen.path.endswith("/definitions"):
            number = int(seen.query["Category"])
            return Reply(
                200,
                [
                    dict(
                        DEFINITION,
                        DefNum=number * 10,
                        Category=number,
                        isHidden="true" if number == 10 else "false",
                    )
                ],
            )
        return Reply(
            200,
            {
                "/api/v1/providers": [dict(PROVIDER, IsHidden="true")],
                "/api/v1/operatories": [OPERATORY],
            }[seen.path],
        )

    server.route = route
    values = {(v.kind, v.pms_id): v for v in connector(server).fetch_reference()}

    # §5.3: CommLogTypes 27, ImageCats 18, ApptConfirmed 2, PaymentTypes 10.
    assert set(values) == {
        ("provider", "1"),
        ("note_type", "270"),
        ("document_category", "180"),
        ("appointment_status", "20"),
        ("payment_type", "100"),
        ("operatory", "1"),
    }
    assert values[("provider", "1")].active is False  # §5.4: IsHidden
    assert values[("provider", "1")].label == "DOC1 (Brian Albert)"
    assert values[("payment_type", "100")].active is False  # §5.3: isHidden
    assert values[("operatory", "1")].label == "Dr. Brian Albert"
    definition_queries = [s.query for s in server.seen if "definitions" in s.path]
    assert all(q["includeHidden"] == "true" for q in definition_queries)  # §1.6


def note_request(**overrides):
    values = dict(
        patient_pms_id="15",
        text="Confirmed by text",
        note_type_pms_id="239",
        provider_pms_id="1",
        direction=NoteDirection.OUTGOING,
        channel=NoteChannel.SMS,
        occurred_at=datetime(2024, 3, 5, 17, 0, tzinfo=ZoneInfo("UTC")),
        marker="wb-77",
    )
    return NoteRequest(**{**values, **overrides})


def test_a_note_is_a_commlog_with_the_documented_fields(server):
    server.reply(Reply(201, dict(COMMLOG, CommlogNum=77)))

    result = connector(server).write_note(note_request())

    sent = server.seen[0]
    assert (sent.method, sent.path) == ("POST", "/api/v1/commlogs")
    assert sent.json() == {
        "PatNum": 15,
        "Note": "Confirmed by text\r\n[pbnsync:wb-77]",
        "CommDateTime": "2024-03-05 10:00:00",  # office-local (§3.3)
        "CommType": 239,  # §5.7: CommType only, never also commType
        "Mode_": "Text",
        "SentOrReceived": "Sent",
    }
    assert result.pms_id == "77"


def test_a_commlog_post_without_a_body_is_found_again_by_its_marker(server):
    # §5.7: before v23.3.7 a commlog POST answered 201 with no body.
    server.reply(
        Reply(201, None),
        Reply(200, [COMMLOG, dict(COMMLOG, CommlogNum=81, Note="x [pbnsync:wb-77]")]),
    )

    result = connector(server).write_note(note_request())

    assert result.pms_id == "81"
    assert server.seen[1].raw_path == "/api/v1/commlogs?PatNum=15&Limit=100&Offset=0"


def test_a_confirmation_is_put_to_the_confirm_action_with_a_def_num(server):
    server.reply(Reply(200, None))

    connector(server).set_confirmation(ConfirmationRequest("18", "21"))

    sent = server.seen[0]
    assert (sent.method, sent.path) == ("PUT", "/api/v1/appointments/18/Confirm")
    assert sent.json() == {"defNum": 21}


def test_a_document_is_uploaded_as_base64_json_with_its_category(server):
    server.reply(Reply(201, dict(DOCUMENT, DocNum=31)))

    result = connector(server).upload_document(
        DocumentRequest("15", "190", "Consent.PDF", b"%PDF-1.4", "Consent", "1", "m1")
    )

    sent = server.seen[0]
    assert sent.path == "/api/v1/documents/Upload"
    assert sent.json() == {
        "PatNum": 15,
        "rawBase64": base64.b64encode(b"%PDF-1.4").decode(),
        "extension": ".pdf",  # §5.9: with the dot
        "Description": "Consent [pbnsync:m1]",
        "ImgType": "Document",
        "DocCategory": 190,  # §5.9: the integer DefNum
        "ProvNum": 1,
    }
    assert result.pms_id == "31"


def test_a_new_patient_and_appointment_use_the_documented_shapes(server):
    server.reply(
        Reply(201, None, headers={"Location": f"{server.url}/api/v1/patients/48"}),
        Reply(201, dict(APPOINTMENT, AptNum=90)),
    )
    od = connector(server)

    patient = od.create_patient(
        PatientRequest("Jane", "Smith", date(1976, 5, 24), "1", "m2", "j@x.com", "555")
    )
    appointment = od.create_appointment(
        AppointmentRequest(
            "48",
            datetime(2024, 3, 5, 15, 30, tzinfo=ZoneInfo("UTC")),
            40,
            "1",
            "3",
            "m3",
        )
    )

    assert patient.pms_id == "48"  # §1.8: from the location header
    assert server.seen[0].json() == {
        "LName": "Smith",
        "FName": "Jane",
        "Birthdate": "1976-05-24",
        "Email": "j@x.com",
        "WirelessPhone": "555",
        "PriProv": 1,
    }
    assert server.seen[1].json() == {
        "PatNum": 48,
        "Op": 3,
        "AptDateTime": "2024-03-05 08:30:00",
        "Pattern": "XXXXXXXX",
        "AptStatus": "Scheduled",
        "Note": "[pbnsync:m3]",
        "ProvNum": 1,
    }
    assert appointment.pms_id == "90"


def test_a_payment_is_posted_with_its_type_and_marker(server):
    server.reply(Reply(201, dict(PAYMENT, PayNum=5)))

    connector(server).post_payment(
        PaymentRequest("1337", Decimal("25.5"), "69", date(2024, 3, 5), "1", "m4")
    )

    assert server.seen[0].json() == {
        "PatNum": 1337,
        "PayAmt": 25.5,
        "PayDate": "2024-03-05",
        "PayNote": "[pbnsync:m4]",
        "PayType": 69,
    }


def test_find_written_searches_the_patients_records_for_the_marker(server):
    server.reply(Reply(200, [dict(PAYMENT, PayNum=8, PayNote="Card [pbnsync:m4]")]))

    assert connector(server).find_written(WriteKind.PAYMENT, "1337", "m4") == "8"
    assert server.seen[0].raw_path == "/api/v1/payments?PatNum=1337&Limit=100&Offset=0"


def test_deleted_appointments_come_from_histappointments(server):
    hist = dict(
        APPOINTMENT,
        HistApptNum=3,
        HistUserNum=0,
        HistApptAction="Deleted",
        HistDateTStamp="2021-05-05 10:00:00",
        ApptSource="None",
    )
    server.reply(Reply(200, [hist]))

    page = connector(server).fetch_deletions(None)

    assert [(d.entity, d.pms_id) for d in page.records] == [(Entity.APPOINTMENT, "18")]
    assert server.seen[0].query["HistApptAction"] == "Deleted"  # §3.6
    assert set(server.seen[0].query) == {
        "HistApptAction",
        "dateStart",
        "dateEnd",
        "Limit",
        "Offset",
    }


def test_the_api_mode_follows_the_documented_ports():
    assert is_local("http://localhost:30222/api/v1/")
    assert is_local("http://192.168.1.5:30223/api/v1/")
    assert not is_local("https://api.opendental.com/api/v1")
