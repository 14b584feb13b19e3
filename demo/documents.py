"""The demo organisation's PDF documents, drawn with fpdf2.

Each maker returns the bytes of a one- or two-page document with the organisation's name,
the document title, its date and version, and text a real service would write. People and
partner organisations are fictional; no document carries an address. The text of the policy-like
documents is data in `policies.yaml`, drawn by one maker (`text_document`).
"""
from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import pairwise
from pathlib import Path

import yaml
from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos

from scoring.dates import add_months

INK = (33, 37, 41)
MUTED = (100, 106, 112)
ACCENT = (22, 92, 125)
PALE = (226, 238, 244)


class _Document(FPDF):
    """A page layout shared by every demo document: letterhead, title block, footer with page numbers."""

    def __init__(self, *, organisation: str, title: str, issued_on: date | None, version: str,
                 orientation: str = "portrait"):
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.organisation = organisation
        self.document_title = title
        self.issued_on = issued_on
        self.version = version
        self.set_margins(20, 18, 20)
        self.set_auto_page_break(True, margin=20)
        self.set_title(title)
        self.set_author(organisation)
        self.set_creator(organisation)
        self.set_subject(f"{title}, version {version}")
        stamp = issued_on or date(2000, 1, 1)
        self.set_creation_date(datetime.combine(stamp, time(9, 30), tzinfo=UTC))
        self.set_text_color(*INK)
        self.add_page()

    def header(self) -> None:
        self._logo(self.l_margin, 10)
        self.set_xy(self.l_margin + 13, 10.5)
        self.set_font("Helvetica", "B", 10)
        self.set_text_color(*ACCENT)
        self.cell(0, 5, self.organisation)
        self.set_xy(self.l_margin + 13, 15)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(*MUTED)
        self.cell(0, 4, "Confidential support for victims of crime")
        self.set_draw_color(*ACCENT)
        self.set_line_width(0.4)
        self.line(self.l_margin, 22, self.w - self.r_margin, 22)
        self.set_text_color(*INK)
        self.set_y(28)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("Helvetica", "", 7.5)
        self.set_text_color(*MUTED)
        dated = f", {_long(self.issued_on)}" if self.issued_on else ""
        self.cell(0, 5, f"{self.organisation} - {self.document_title} - version {self.version}{dated}")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(*INK)

    def _logo(self, x: float, y: float) -> None:
        self.set_fill_color(*ACCENT)
        self.polygon([(x, y + 5), (x + 5.5, y), (x + 11, y + 5)], style="F")
        self.rect(x + 1.5, y + 5, 8, 5, style="F")
        self.set_fill_color(255, 255, 255)
        self.rect(x + 4.5, y + 6.5, 2, 3.5, style="F")
        self.set_draw_color(*ACCENT)
        self.set_line_width(0.5)
        self.line(x, y + 11.3, x + 11, y + 11.3)

    def title_block(self, *, approved_by: str = "", review_months: int | None = 12, extra: list[tuple[str, str]] = ()) -> None:
        self.set_font("Helvetica", "B", 17)
        self.multi_cell(0, 8, self.document_title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)
        facts = [("Version", self.version)]
        if self.issued_on:
            facts.append(("Date", _long(self.issued_on)))
        if approved_by:
            facts.append(("Approved by", approved_by))
        if self.issued_on and review_months:
            facts.append(("Next review", _long(add_months(self.issued_on, review_months))))
        facts.extend(extra)
        self.set_font("Helvetica", "", 8.5)
        self.set_fill_color(*PALE)
        line = "    ".join(f"{label}: {value}" for label, value in facts)
        self.multi_cell(0, 5.5, line, fill=True, padding=(1.5, 3), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(4)

    def heading(self, text: str) -> None:
        if self.get_y() > self.h - 45:
            self.add_page()
        self.ln(1.5)
        self.set_font("Helvetica", "B", 11.5)
        self.set_text_color(*ACCENT)
        self.multi_cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        self.ln(0.5)

    def para(self, text: str, *, size: float = 9.5) -> None:
        self.set_font("Helvetica", "", size)
        self.multi_cell(0, 4.8, " ".join(text.split()), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.8)

    def bullets(self, items: list[str], *, numbered: bool = False) -> None:
        self.set_font("Helvetica", "", 9.5)
        for index, item in enumerate(items, start=1):
            mark = f"{index}." if numbered else "-"
            self.set_x(self.l_margin + 2)
            self.cell(6, 4.8, mark)
            self.multi_cell(0, 4.8, " ".join(item.split()), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(0.6)
        self.ln(1.4)

    def grid(self, rows: list[tuple[str, ...]], widths: tuple[float, ...], *, size: float = 8.5) -> None:
        self.set_font("Helvetica", "", size)
        self.set_draw_color(170, 180, 188)
        self.set_line_width(0.2)
        heading_style = FontFace(emphasis="BOLD", color=INK, fill_color=PALE)
        self.set_fill_color(255, 255, 255)
        with self.table(col_widths=widths, width=sum(widths), align="LEFT", text_align="LEFT",
                        line_height=4.6, headings_style=heading_style, padding=1.2,
                        cell_fill_color=(246, 249, 251), cell_fill_mode="ROWS") as table:
            for row in rows:
                cells = table.row()
                for value in row:
                    cells.cell(value)
        self.ln(3)

    def signatures(self, people: list[tuple[str, str]], signed_on: date | None) -> None:
        if self.get_y() > self.h - 50:
            self.add_page()
        self.ln(2)
        column = (self.w - self.l_margin - self.r_margin) / max(1, len(people))
        top = self.get_y()
        for index, (name, role) in enumerate(people):
            x = self.l_margin + index * column
            self.set_draw_color(*MUTED)
            self.line(x, top + 10, x + column - 8, top + 10)
            self.set_xy(x, top + 11)
            self.set_font("Helvetica", "B", 8.5)
            self.cell(column - 8, 4.2, name, new_x=XPos.LEFT, new_y=YPos.NEXT)
            self.set_font("Helvetica", "", 8)
            self.multi_cell(column - 8, 4, role, new_x=XPos.LEFT, new_y=YPos.NEXT)
            if signed_on:
                self.cell(column - 8, 4, f"Signed {_long(signed_on)}")
        self.set_y(top + 28)

    def render(self) -> bytes:
        return bytes(self.output())


def _titled(title: str, organisation: str, issued_on: date, version: str, **title_block) -> _Document:
    """A portrait document with its letterhead and title block drawn: how most demo documents begin."""
    pdf = _Document(organisation=organisation, title=title, issued_on=issued_on, version=version)
    pdf.title_block(**title_block)
    return pdf


def risk_form(*, title, organisation, issued_on, version="1.0", approved_by="", questions=None, **_) -> bytes:
    pdf = _titled(title, organisation, issued_on, version, approved_by=approved_by)
    pdf.para(
        "Use this form in the first conversation with every client, in person or by phone, before any other "
        "support is planned. Ask the questions in your own words and write down the client's answers as they "
        "give them. If the client does not want to answer a question, record that and move on. The completed "
        "form is kept in the client's case file and is never sent to anyone outside Harbour House without the "
        "client's consent, except where there is an immediate risk to life."
    )
    pdf.heading("Part A. About the contact")
    pdf.grid([("Case reference", "Date of contact", "Caseworker", "Contact by"),
              ("", "", "", "In person / Phone / Video")], (40, 34, 50, 46))
    asked = RISK_QUESTIONS[: questions or len(RISK_QUESTIONS)]
    pdf.heading("Part B. Is the client safe now?")
    rows = [("No.", "Question", "Answer", "Notes")]
    rows += [(str(i), q, "Yes / No / Not sure", "") for i, q in enumerate(asked, start=1)]
    pdf.grid(rows, (10, 88, 32, 40))
    pdf.heading("Part C. The risk")
    pdf.para(
        "From the answers above, describe the nature of the risk (who or what the client is at risk from), the "
        "extent of the risk (how serious the harm could be) and the likelihood that it happens (how soon and "
        "how often). Circle one level for each."
    )
    pdf.grid([("", "Low", "Medium", "High"), ("Nature", "", "", ""), ("Extent", "", "", ""),
              ("Likelihood", "", "", "")], (50, 40, 40, 40))
    pdf.heading("Part D. Action plan")
    pdf.bullets([
        "If question 1, 2 or 5 is answered Yes, or any level in Part C is High, agree a safety plan with the "
        "client before the conversation ends and tell your team leader the same day.",
        "Discuss a referral to a partner in our network (see the referral and information-sharing agreement), "
        "for example City Women's Refuge for safe accommodation.",
        "Offer to contact the police with the client. Contact the police without consent only where there is "
        "an immediate risk to the life of the client or another person, and record why.",
        "Set a date to review this assessment, at the latest at the next contact.",
    ])
    pdf.grid([("Completed by (caseworker)", "Reviewed by (team leader)", "Review date"), ("", "", "")], (65, 65, 40))
    return pdf.render()


RISK_QUESTIONS = [
    "Is there still a threat?",
    "Is there ongoing victimisation?",
    "Is the victim fearful of anything?",
    "Does the person who caused the harm know where the client lives, works or studies?",
    "Has the client been threatened with a weapon or with being killed?",
    "Are children or other dependants at risk as well?",
    "Has the harm become more frequent or more serious recently?",
    "Does the client have a safe place to stay tonight?",
    "Have the police been told, and does the client want them to be?",
]


def training_record(*, title, organisation, issued_on, rng: random.Random, version="1.0", approved_by="", **_) -> bytes:
    pdf = _Document(organisation=organisation, title=title, issued_on=issued_on, version=version)
    first, second = issued_on - timedelta(days=15), issued_on - timedelta(days=8)
    pdf.title_block(approved_by=approved_by, review_months=None,
                    extra=[("Sessions", f"{_short(first)} and {_short(second)}")])
    pdf.heading("Course")
    pdf.para(
        "Risk assessment at intake: recognising danger and acting on it. A half-day session for caseworkers, "
        "volunteers and reception staff, led by Grace Whitfield (Training Coordinator) with Sergeant Paul "
        "Adeyemi of Victim Support Police Liaison."
    )
    pdf.bullets([
        "Risks and dangers victims face after a crime, including repeat victimisation and intimidation.",
        "Using the intake risk assessment form: the questions, what each answer means, rating nature, extent "
        "and likelihood.",
        "Agreeing a safety plan and when to refer to City Women's Refuge or to the police.",
        "Practice: three role-played first contacts, with feedback.",
        "Where the completed form goes in the case file and who may see it.",
    ])
    pdf.heading("Attendance")
    people = rng.sample(STAFF, 11)
    rows = [("Name", "Role", "Session", "Attended", "Signed")]
    for index, (name, role) in enumerate(people):
        session = first if index % 2 == 0 else second
        rows.append((name, role, _short(session), "Full session", "Signed"))
    pdf.grid(rows, (44, 48, 28, 28, 22))
    pdf.para(
        "Every participant received the course notes and the current intake form. New staff and volunteers "
        "complete this course before taking their first intake call; a refresher is held every year.",
        size=9,
    )
    pdf.signatures([("Grace Whitfield", "Training Coordinator"), ("Amira Hassan", "Service Manager")], issued_on)
    return pdf.render()


STAFF = [
    ("Amira Hassan", "Service Manager"), ("Daniel Okafor", "Partnerships Lead"),
    ("Priya Nair", "Data Protection Lead"), ("Tom Brennan", "Facilities Officer"),
    ("Lena Kowalczyk", "Caseworker"), ("Marcus Bell", "Caseworker"), ("Siobhan Reilly", "Caseworker"),
    ("Yusuf Demir", "Senior Caseworker"), ("Hannah Lindqvist", "Caseworker"), ("Kofi Mensah", "Volunteer"),
    ("Rosa Delgado", "Volunteer"), ("Eilidh Munro", "Reception Coordinator"), ("Jonah Whitaker", "Volunteer"),
    ("Fatima Zahra Idrissi", "Caseworker"), ("Oliver Strand", "Volunteer"),
]


def network_agreement(*, title, organisation, issued_on, valid_until=None, version="1.0", approved_by="", **_) -> bytes:
    pdf = _Document(organisation=organisation, title=title, issued_on=issued_on, version=version)
    ends = valid_until or add_months(issued_on, 12)
    pdf.title_block(approved_by=approved_by, review_months=None, extra=[("In force until", _long(ends))])
    pdf.heading("Parties")
    pdf.grid([
        ("Organisation", "Contact", "Role"),
        (organisation, "Daniel Okafor", "Partnerships Lead"),
        ("City Women's Refuge", "Helen Marsh", "Refuge Manager"),
        ("Victim Support Police Liaison", "Sergeant Paul Adeyemi", "Liaison Officer"),
    ], (70, 50, 50))
    pdf.heading("1. Purpose")
    pdf.para(
        "Some of the people who come to Harbour House need help we cannot give ourselves: a safe place to stay, "
        "or protection that only the police can arrange. This agreement sets out how the three parties refer "
        "victims to each other quickly and safely, and how they share only the information that is needed."
    )
    pdf.heading("2. When we refer")
    pdf.bullets([
        "To City Women's Refuge when a client is at risk at home and needs safe accommodation or specialist "
        "support for domestic abuse.",
        "To Victim Support Police Liaison when a client wants to report a crime, when there are new threats or "
        "intimidation after a report, or when protective measures are needed.",
        "The refuge and the police refer victims to Harbour House for emotional and practical support, "
        "information about their case and help through the criminal justice process.",
    ])
    pdf.heading("3. How we refer")
    pdf.para(
        "The referring worker phones the named contact (or the duty line out of hours) and then sends the "
        "referral form by secure e-mail the same working day. The receiving party confirms within one working "
        "day whether it can help. When a referral is urgent, the phone call comes first and the form follows."
    )
    pdf.heading("4. Consent and information sharing")
    pdf.para(
        "We refer only with the victim's informed consent, recorded on the referral form, except where there is "
        "an immediate risk to life. We share only what the receiving party needs for the purpose of the "
        "referral, and each party keeps what it receives confidential under its own policy and data protection "
        "law. A victim may withdraw consent at any time; the parties then stop sharing."
    )
    pdf.heading("5. Working together")
    pdf.para(
        "The contacts meet every quarter to discuss how referrals went, without naming clients, and to update "
        "each other on services and duty numbers. Each party tells the others at once about a change of contact. "
        f"This agreement is reviewed before {_long(ends)}."
    )
    pdf.signatures([("Daniel Okafor", organisation), ("Helen Marsh", "City Women's Refuge"),
                    ("Sgt Paul Adeyemi", "Victim Support Police Liaison")], issued_on)
    return pdf.render()


def safety_plan_document(*, title, organisation, issued_on, version="1.0", approved_by="", **_) -> bytes:
    pdf = _titled(title, organisation, issued_on, version, approved_by=approved_by,
                  extra=[("Classification", "Restricted")])
    pdf.para(
        "This plan describes how we keep clients, visitors and staff safe at our premises and what each of us "
        "does when someone may be in danger. It is restricted: do not copy it outside the organisation or show "
        "it to clients. Clients receive the separate leaflet \"Your safety at Harbour House\"."
    )
    pdf.heading("1. Measures in place")
    pdf.bullets([
        "The street door is locked at all times. Visitors ring the intercom, and reception sees them on camera "
        "before letting them in. Clients are seen by appointment only; there is no walk-in service.",
        "The inner door to the interview rooms and offices has a keypad and closes and locks by itself.",
        "CCTV covers the entrance, reception and the waiting area; recordings are kept for 30 days.",
        "Each interview room has a panic button that alarms in the office, and a second way out.",
        "Case files are kept in the case management system; paper notes are locked in the office cabinet and "
        "shredded after they have been entered.",
        "Appointments of clients at risk are not booked back to back with anyone they have named as a risk.",
    ])
    pdf.heading("2. Who does what when there is a threat")
    pdf.grid([
        ("Situation", "Who", "What they do"),
        ("Someone a client fears is outside or at the door", "Reception",
         "Do not open. Keep the client in an interview room away from the entrance. Call the police on the "
         "emergency number if there is any threat."),
        ("A visitor becomes aggressive inside", "Any staff member",
         "Stay calm, keep distance, leave by the second door, press the panic button. Duty manager calls the "
         "police."),
        ("Panic button alarm", "Duty manager",
         "Go to the room with a colleague, check, call the police if needed, record the incident the same day."),
        ("Threat by phone, e-mail or social media", "Caseworker",
         "Write down exactly what was said, tell the duty manager, review the client's risk assessment."),
    ], (50, 30, 90))
    pdf.heading("3. Practice and training")
    pdf.para(
        "We practise the plan twice a year, once with the fire evacuation, and discuss what went well in the "
        "next team meeting. New staff and volunteers read this plan and walk the premises with the Facilities "
        "Officer in their first week."
    )
    pdf.heading("4. Telling clients about their safety")
    pdf.para(
        "At the first appointment the caseworker explains that the door is always locked, that visitors are "
        "seen by appointment only, and what the client can do if they feel unsafe on the way in or out. We do "
        "not describe the layout, alarm system or camera positions, and we never confirm to anyone else that a "
        "person is a client."
    )
    pdf.signatures([("Amira Hassan", "Service Manager"), ("Tom Brennan", "Facilities Officer")], issued_on)
    return pdf.render()


def safety_leaflet(*, title, organisation, issued_on, version="1.0", **_) -> bytes:
    pdf = _titled(title, organisation, issued_on, version, review_months=12)
    pdf.para(
        "We want you to feel safe when you come to see us. This leaflet explains what we do to keep you safe "
        "and what you can do if you are worried. Please ask your caseworker if anything is not clear.", size=11)
    pdf.heading("When you visit")
    pdf.bullets([
        "Our door is always locked. Please ring the bell and wait; we will let you in when we have checked who "
        "you are.",
        "We see people by appointment only, so you will not meet anyone who has not been expected.",
        "If you are worried that someone may follow you or wait for you, tell us before your visit. We can "
        "change the time, meet you somewhere else or talk by phone or video.",
        "If you feel unsafe while you are here, tell any member of staff. You do not have to explain why.",
    ])
    pdf.heading("Keeping your information safe")
    pdf.para(
        "What you tell us stays confidential. We do not tell anyone that you are in contact with us unless you "
        "agree, or in the rare case that someone's life is in danger. Ask for our confidentiality policy if "
        "you would like to read it.", size=10)
    pdf.heading("In an emergency")
    pdf.para("If you are in danger right now, call the police on the emergency number.", size=10)
    return pdf.render()


def escape_plan_document(*, title, organisation, issued_on, version="1.0", approved_by="", draft=False, **_) -> bytes:
    dated = None if draft else issued_on
    pdf = _Document(organisation=organisation, title=title, issued_on=dated, version=version, orientation="landscape")
    pdf.title_block(approved_by=approved_by, extra=[("Classification", "Restricted")] + ([("Status", "Draft")] if draft else []))
    top = pdf.get_y() + 2
    _floor_plan(pdf, x=20, y=top, with_assembly_point=not draft)
    _escape_legend(pdf, x=205, y=top, with_assembly_point=not draft)
    return pdf.render()


def _floor_plan(pdf: _Document, *, x: float, y: float, with_assembly_point: bool) -> None:
    """The ground floor in plan: rooms, door openings, exits, dashed escape routes, and the assembly point."""
    width, height = 150, 105
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.4)
    rooms = [
        (0, 0, 45, 40, "Reception"), (0, 40, 45, 30, "Waiting area"), (0, 70, 45, 35, "Kitchen"),
        (45, 0, 35, 40, "Interview 1"), (80, 0, 35, 40, "Interview 2"), (115, 0, 35, 40, "WC"),
        (45, 60, 65, 45, "Office"), (110, 60, 40, 45, "Store"),
    ]
    pdf.set_font("Helvetica", "", 8)
    for rx, ry, rw, rh, name in rooms:
        pdf.rect(x + rx, y + ry, rw, rh)
        pdf.set_xy(x + rx + 2, y + ry + 2)
        pdf.cell(rw - 4, 4, name)
    pdf.set_line_width(1.0)
    pdf.rect(x, y, width, height)
    pdf.set_font("Helvetica", "I", 8)
    pdf.set_xy(x + 47, y + 41)
    pdf.cell(30, 4, "Corridor")
    pdf.set_draw_color(255, 255, 255)
    pdf.set_line_width(1.4)
    openings = [((0, 17), (0, 27)), ((150, 45), (150, 55)),
                ((31, 40), (41, 40)), ((31, 70), (41, 70)), ((45, 44), (45, 56)),
                ((58, 40), (66, 40)), ((93, 40), (101, 40)), ((128, 40), (136, 40)),
                ((74, 60), (82, 60)), ((120, 60), (128, 60))]
    for (x1, y1), (x2, y2) in openings:
        pdf.line(x + x1, y + y1, x + x2, y + y2)
    _exit_sign(pdf, x - 9, y + 22)
    _exit_sign(pdf, x + width + 1, y + 50)
    routes = [
        [(36, 90), (36, 22), (1, 22)],
        [(62, 22), (62, 50), (149, 50)],
        [(97, 22), (97, 50)],
        [(132, 24), (132, 50)],
        [(78, 84), (78, 50)],
        [(124, 84), (124, 50)],
    ]
    pdf.set_draw_color(0, 140, 70)
    pdf.set_line_width(0.7)
    pdf.set_dash_pattern(dash=2, gap=1.5)
    for route in routes:
        for (x1, y1), (x2, y2) in pairwise(route):
            pdf.line(x + x1, y + y1, x + x2, y + y2)
    pdf.set_dash_pattern()
    pdf.set_fill_color(0, 140, 70)
    pdf.polygon([(x + 2, y + 19.5), (x + 2, y + 24.5), (x - 1.5, y + 22)], style="F")
    pdf.polygon([(x + 148, y + 47.5), (x + 148, y + 52.5), (x + 151.5, y + 50)], style="F")
    pdf.set_fill_color(200, 30, 30)
    for fx, fy in ((40, 3), (47, 56), (146, 56), (3, 100), (105, 3)):
        pdf.rect(x + fx, y + fy, 3, 3, style="F")
    pdf.set_fill_color(220, 120, 0)
    pdf.circle(x + 10, y + 58, 2.2, style="F")
    pdf.set_font("Helvetica", "B", 7)
    pdf.set_xy(x + 13, y + 56)
    pdf.cell(20, 4, "You are here")
    if with_assembly_point:
        ax, ay = x + width + 22, y + height - 12
        pdf.set_draw_color(0, 140, 70)
        pdf.set_dash_pattern(dash=2, gap=1.5)
        pdf.line(x + width + 9, y + 50, ax, y + 50)
        pdf.line(ax, y + 50, ax, ay - 6)
        pdf.set_dash_pattern()
        pdf.set_fill_color(0, 140, 70)
        pdf.circle(ax, ay, 6, style="F")
        pdf.set_text_color(255, 255, 255)
        pdf.set_font("Helvetica", "B", 9)
        pdf.set_xy(ax - 6, ay - 2)
        pdf.cell(12, 4, "AP", align="C")
        pdf.set_text_color(*INK)
        pdf.set_font("Helvetica", "B", 7.5)
        pdf.set_xy(ax - 14, ay + 7)
        pdf.cell(28, 4, "Assembly point", align="C")
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.2)


def _exit_sign(pdf: _Document, x: float, y: float) -> None:
    pdf.set_fill_color(0, 140, 70)
    pdf.rect(x, y - 4, 8, 8, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_font("Helvetica", "B", 7)
    pdf.set_xy(x, y - 2)
    pdf.cell(8, 4, "EXIT", align="C")
    pdf.set_text_color(*INK)


def _escape_legend(pdf: _Document, *, x: float, y: float, with_assembly_point: bool) -> None:
    pdf.set_xy(x, y)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(72, 6, "Key", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 8.5)
    entries = [((0, 140, 70), "Emergency exit"), ((0, 140, 70), "Escape route (dashed)"),
               ((200, 30, 30), "Fire extinguisher"), ((220, 120, 0), "You are here")]
    if with_assembly_point:
        entries.append(((0, 140, 70), "AP: assembly point, rear car park by the green gate"))
    for colour, label in entries:
        pdf.set_fill_color(*colour)
        pdf.rect(x, pdf.get_y() + 1, 4, 4, style="F")
        pdf.set_x(x + 6)
        pdf.multi_cell(66, 4.5, label, new_x=XPos.LEFT, new_y=YPos.NEXT, padding=(0.75, 0))
        pdf.set_x(x)
    pdf.ln(3)
    pdf.set_x(x)
    pdf.set_font("Helvetica", "B", 10)
    pdf.cell(72, 6, "If the fire alarm sounds", new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 8.5)
    steps = [
        "Leave by the nearest exit. Do not stop to collect belongings.",
        "Staff take the clients they are with out with them.",
        "Reception takes the visitor list and the first-aid bag.",
        "Do not use the main exit if the person a client fears may be outside: use the rear exit.",
    ]
    if with_assembly_point:
        steps.append("Go to the assembly point. The duty manager checks everyone is out and calls the fire service.")
    for step in steps:
        pdf.set_x(x)
        pdf.multi_cell(72, 4.5, "- " + step, new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.ln(0.8)


POLICIES = Path(__file__).with_name("policies.yaml")


@cache
def _policy_texts() -> dict[str, list[dict]]:
    return yaml.safe_load(POLICIES.read_text(encoding="utf-8"))


def text_document(name: str) -> Callable[..., bytes]:
    """The maker of a policy-like document: the title block, then the blocks `policies.yaml` holds under `name`."""

    def make(*, title, organisation, issued_on, version="1.0", approved_by="", **_) -> bytes:
        pdf = _titled(title, organisation, issued_on, version, approved_by=approved_by)
        for block in _policy_texts()[name]:
            _draw_block(pdf, block)
        return pdf.render()

    make.__name__ = make.__qualname__ = name
    return make


def _draw_block(pdf: _Document, block: dict) -> None:
    [(kind, value)] = block.items()
    if kind == "heading":
        pdf.heading(value)
    elif kind == "para":
        pdf.para(value)
    elif kind in ("bullets", "numbered"):
        pdf.bullets(value, numbered=kind == "numbered")
    elif kind == "table":
        pdf.grid([tuple(row) for row in value["rows"]], tuple(value["widths"]))
    else:
        raise ValueError(f"{POLICIES.name}: unknown block '{kind}'")


confidentiality_policy = text_document("confidentiality_policy")
data_protection_protocol = text_document("data_protection_protocol")
case_information_procedure = text_document("case_information_procedure")


MAKERS = {
    "risk_form": risk_form,
    "training_record": training_record,
    "network_agreement": network_agreement,
    "safety_plan_document": safety_plan_document,
    "safety_leaflet": safety_leaflet,
    "escape_plan_document": escape_plan_document,
    "confidentiality_policy": confidentiality_policy,
    "data_protection_protocol": data_protection_protocol,
    "case_information_procedure": case_information_procedure,
}


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def _long(day: date) -> str:
    """8 March 2026, whatever the machine's locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _short(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"
