"""Personal data in documents, and case files told apart from an organisation's own papers."""
from __future__ import annotations

import random

from privacy.model import PersonalDataKind
from privacy.scan import scan_document_text

NAMES = ("Jane Doe", "Amira Hassan", "Mrs Karen O'Neill", "Tomasz Nowak", "Li Wei", "Grace Mensah")
DOBS = ("12/03/1985", "3 July 1990", "1979-11-02", "07.01.2001", "March 4, 1968")
ADDRESSES = ("14 Mill Lane, Leeds LS1 4AB", "Flat 2, 9 Harbour Road, Bristol BS8 2PX", "27 Station Road, Hull",
             "Hauptstraße 12, 10115 Berlin")
PHONES = ("07700 900123", "0161 496 0000", "+44 20 7946 0958", "0117 496 0321")
EMAILS = ("jane.doe@example.com", "amira.h@example.org", "k.oneill@example.net")
CASES = ("Case no. DV-2026-0113", "Ref: DV-2025-0987", "Case reference: HH/2026/044", "Crime ref: 44/12345/26",
         "MARAC ref 2026-17")
NI_NUMBERS = ("JG 10 37 21 A", "AB123456D")


def case_files(rng: random.Random, count: int) -> list[str]:
    """Records about one person, laid out as forms, notes and letters, each with a different mix of fields."""
    documents = []
    for index in range(count):
        name, dob, address = rng.choice(NAMES), rng.choice(DOBS), rng.choice(ADDRESSES)
        phone, email, case = rng.choice(PHONES), rng.choice(EMAILS), rng.choice(CASES)
        layouts = [
            f"CLIENT RECORD\nClient name: {name}\nDate of birth: {dob}\nAddress: {address}\nPhone: {phone}\n",
            f"Referral form\n{case}\nVictim: {name}\nDOB {dob}\nContact: {phone}\nRisk level: high\n",
            f"Support plan\nService user: {name}\nE-mail: {email}\nAddress: {address}\nNext review in 6 weeks.\n",
            f"Case notes {case}\nMet {name.split()[0]} at the office. Address: {address}. Mobile {phone}. "
            f"She moved after the incident on 3 May.\n",
            f"Dear colleague,\nRe: {name}, born {dob}, of {address}.\nPlease call me on {phone}.\n",
            f"Name of client: {name}\nNational insurance no: {rng.choice(NI_NUMBERS)}\nDate of birth: {dob}\n",
            f"Victim's name: {name}\nTel. {phone}\nemail {email}\n{case}\n",
        ]
        documents.append(layouts[index % len(layouts)])
    return documents


ORGANISATIONAL = (
    "Need to talk? Call our helpline on 0800 123 4567, 24 hours a day. E-mail help@harbourhouse.org.uk. "
    "Harbour House, 1 Quay Street, Bristol BS1 4DJ.",
    "Safeguarding policy. Version 3, approved by the board on 12/03/2026. Review date: March 2027. "
    "Designated lead: A. Manager, 0117 496 0000.",
    "Intake risk assessment form (template)\nClient name: ____________\nDate of birth: __/__/____\n"
    "Address: \nCase no.: \nRisk level: low / medium / high",
    "Fire evacuation procedure. On hearing the alarm leave by the nearest exit and go to the assembly point "
    "in the car park. Fire marshal: the duty manager.",
    "Minutes of the trustees' meeting, 4 November 2026. Present: A. Manager, B. Treasurer, C. Chair. "
    "The office at 1 Quay Street will close on 24 December.",
    "Staff training record: safeguarding level 2 completed by all staff on 3 October 2026.",
    "Complaints procedure. Write to the Chief Executive, Harbour House, 1 Quay Street, Bristol BS1 4DJ, "
    "or e-mail complaints@harbourhouse.org.uk, or phone 0117 496 0000.",
    "Data protection policy: client records are kept in the case management system, never in this document "
    "library. Case numbers follow the form DV-YYYY-NNNN.",
    "Volunteer role description. Hours: Monday to Friday 9-5. Contact the volunteer coordinator on 0117 496 0001 "
    "or volunteers@harbourhouse.org.uk.",
    "Annual report 2025-26. We supported 412 people. Our address: 1 Quay Street, Bristol BS1 4DJ. "
    "Registered charity number 1234567.",
    "Escape plan. Ground floor: kitchen, lounge, office. Exits: front door, rear door. Assembly point: Quay car park.",
    "Service level agreement with the police: referrals within 24 hours; the police reference (crime number) "
    "is recorded by the caseworker in the case system.",
)


def test_nine_in_ten_case_files_are_recognised():
    documents = case_files(random.Random(4), 28)
    flagged = [text for text in documents if scan_document_text(text).case_file]
    missed = [text for text in documents if text not in flagged]
    assert len(flagged) / len(documents) >= 0.9, f"missed: {missed}"


def test_an_organisations_own_documents_are_not_case_files():
    wrongly = [text for text in ORGANISATIONAL if scan_document_text(text).case_file]
    assert len(wrongly) <= len(ORGANISATIONAL) // 10, f"flagged as case files: {wrongly}"


def test_a_helpline_poster_has_personal_data_but_is_not_a_case_file():
    scan = scan_document_text(ORGANISATIONAL[0])
    assert scan.kinds() >= {PersonalDataKind.PHONE_NUMBER, PersonalDataKind.EMAIL_ADDRESS,
                            PersonalDataKind.POSTAL_ADDRESS}
    assert not scan.case_file and scan.case_file_reasons == () and scan.message() == ""


def test_a_blank_form_template_carries_no_personal_data():
    scan = scan_document_text(ORGANISATIONAL[2])
    assert scan.personal_data == ()
    assert not scan.case_file


def test_a_case_file_says_what_was_found_with_short_excerpts():
    text = "Client name: Jane Doe\nDate of birth: 12/03/1985\nAddress: 14 Mill Lane, Leeds LS1 4AB\nRef: DV-2026-0113"
    scan = scan_document_text(text)
    assert scan.case_file
    assert scan.kinds() >= {PersonalDataKind.CLIENT_NAME, PersonalDataKind.DATE_OF_BIRTH,
                            PersonalDataKind.POSTAL_ADDRESS, PersonalDataKind.CASE_NUMBER}
    dob = next(finding for finding in scan.personal_data if finding.kind is PersonalDataKind.DATE_OF_BIRTH)
    assert dob.excerpt == "Date of birth: 12/0…"
    assert all(len(finding.excerpt) <= 20 for finding in scan.personal_data)
    assert "1985" not in " ".join(finding.excerpt for finding in scan.personal_data)
    message = scan.message()
    assert "date of birth" in message and "client or victim name" in message and "case file" in message


def test_each_kind_of_personal_data_is_found_on_its_own():
    examples = {
        PersonalDataKind.DATE_OF_BIRTH: "D.O.B.: 3 July 1990",
        PersonalDataKind.PHONE_NUMBER: "Mobile 07700 900123",
        PersonalDataKind.EMAIL_ADDRESS: "write to jane.doe@example.com today",
        PersonalDataKind.POSTAL_ADDRESS: "she lives at 27 Station Road now",
        PersonalDataKind.CLIENT_NAME: "Victim: Amira Hassan",
        PersonalDataKind.CASE_NUMBER: "Case no. DV-2026-0113",
        PersonalDataKind.NATIONAL_ID: "NI number: JG 10 37 21 A",
        PersonalDataKind.POSTCODE: "Leeds LS1 4AB",
    }
    for kind, text in examples.items():
        assert kind in scan_document_text(text).kinds(), text


def test_prose_that_mentions_clients_or_numbers_is_not_personal_data():
    text = ("Client: the service supports every client for 12 months on the way to recovery. "
            "Page 3 of 50, printed 2026-11-23. Invoice 123456789.")
    assert scan_document_text(text).personal_data == ()


def test_a_list_of_clients_as_a_table_is_a_case_file():
    csv_text = ("Client name,DOB,Phone,Address\n"
                "Jane Doe,12/03/1985,07700 900123,14 Mill Lane\n"
                "Amira Hassan,1990-07-03,0161 496 0000,27 Station Road\n")
    scan = scan_document_text(csv_text)
    assert scan.case_file
    dob = next(finding for finding in scan.personal_data if finding.kind is PersonalDataKind.DATE_OF_BIRTH)
    assert dob.excerpt == "DOB: 12/0…"


def test_a_staff_contact_list_or_a_blank_client_table_is_not_a_case_file():
    staff = "Name\tRole\tPhone\nSarah Williams\tManager\t0117 496 0000\nJames Smith\tCaseworker\t0117 496 0001\n"
    blank = "Client name,Date of birth,Phone\n,,\n,,\n"
    rota = "Date,Activity,Hours\n2026-01-03,Training,3\n"
    assert not scan_document_text(staff).case_file
    assert scan_document_text(blank).personal_data == ()
    assert scan_document_text(rota).personal_data == ()
