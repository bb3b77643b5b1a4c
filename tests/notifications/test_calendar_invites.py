"""Invites read back by an independent parser (vobject) show each recipient the right local time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import vobject
from vobject.base import Component

from rris.notifications.integrations.calendar_invites import (
    Attendee,
    Invite,
    InviteMethod,
    invite_attachment,
    render_invite,
)
from rris.notifications.integrations.mail import OutgoingMessage, build_email
from tests.support.calendars import seen_instant, wall_clock

# Tuesday 2026-01-13, 08:00-09:00 UTC: 09:00 in Belgrade, 12:30 in Kabul.
SESSION_START = datetime(2026, 1, 13, 8, 0, tzinfo=UTC)
ORGANIZER = Attendee("bookings@rris.example", "RRIS Bookings", role="CHAIR")
CASEWORKER = Attendee("dj.petrovic@belgrade.example", "Đorđe Petrović")
INTERPRETER = Attendee("mariam@interpreters.example", "Mariam Ahmadzai")


DEFAULTS: dict[str, Any] = {
    "uid": "booking-RR-ABC123@rris",
    "sequence": 0,
    "method": InviteMethod.REQUEST,
    "summary": "Interpretation: Dari ↔ Serbian",
    "description": "Asylum interview, room 4.",
    "starts_at": SESSION_START,
    "ends_at": SESSION_START + timedelta(hours=1),
    "zone": "Europe/Belgrade",
    "organizer": ORGANIZER,
    "attendees": (CASEWORKER, INTERPRETER),
    "stamp": datetime(2026, 1, 10, 12, 0, tzinfo=UTC),
}


def make_invite(**changes: Any) -> Invite:
    """A one-hour REQUEST for the Belgrade caseworker; `changes` override any field."""
    if "starts_at" in changes:
        changes.setdefault("ends_at", changes["starts_at"] + timedelta(hours=1))
    return Invite(**(DEFAULTS | changes))


def parse(invite: Invite) -> Component:
    """The VCALENDAR a calendar app would read from the rendered invite."""
    return vobject.readOne(render_invite(invite).decode("utf-8"))


def vtimezone_ids(calendar: Component) -> list[str]:
    """TZIDs of the calendar's VTIMEZONE components."""
    return [tz.tzid.value for tz in calendar.contents.get("vtimezone", [])]


def vtimezone_block(data: bytes, tzid: str) -> bytes:
    """The raw BEGIN:VTIMEZONE ... END:VTIMEZONE text for `tzid`."""
    start = data.index(b"BEGIN:VTIMEZONE\r\nTZID:" + tzid.encode())
    return data[start : data.index(b"END:VTIMEZONE\r\n", start) + len(b"END:VTIMEZONE\r\n")]


# --- local times -----------------------------------------------------------------------------


def test_belgrade_caseworker_sees_0900_for_a_0800_utc_session():
    calendar = parse(make_invite())

    assert wall_clock(calendar, "dtstart") == ("Europe/Belgrade", datetime(2026, 1, 13, 9, 0))
    assert wall_clock(calendar, "dtend") == ("Europe/Belgrade", datetime(2026, 1, 13, 10, 0))
    assert seen_instant(calendar, "dtstart") == SESSION_START
    assert seen_instant(calendar, "dtend") == SESSION_START + timedelta(hours=1)
    assert vtimezone_ids(calendar) == ["Europe/Belgrade"]
    # vobject's own reading agrees with the VTIMEZONE's
    assert calendar.vevent.dtstart.value == SESSION_START


def test_kabul_interpreter_sees_1230_for_the_same_session():
    calendar = parse(make_invite(zone="Asia/Kabul", attendees=(INTERPRETER,)))

    assert wall_clock(calendar, "dtstart") == ("Asia/Kabul", datetime(2026, 1, 13, 12, 30))
    assert seen_instant(calendar, "dtstart") == SESSION_START
    assert seen_instant(calendar, "dtend") == SESSION_START + timedelta(hours=1)
    assert vtimezone_ids(calendar) == ["Asia/Kabul"]


@pytest.mark.parametrize(
    ("zone", "utc", "local"),
    [
        pytest.param("Europe/Belgrade", "2026-03-30 07:00", "2026-03-30 09:00", id="belgrade-summer"),
        pytest.param("Europe/Belgrade", "2026-10-26 07:00", "2026-10-26 08:00", id="belgrade-winter-again"),
        # at 01:00 UTC on 29 March 2026 Belgrade's clocks jump from 02:00 CET to 03:00 CEST
        pytest.param("Europe/Belgrade", "2026-03-29 01:30", "2026-03-29 03:30", id="belgrade-spring-change-night"),
        pytest.param("Europe/Belgrade", "2026-03-29 00:30", "2026-03-29 01:30", id="belgrade-before-the-jump"),
        pytest.param("Europe/Istanbul", "2026-01-13 08:00", "2026-01-13 11:00", id="istanbul-winter"),
        pytest.param("Europe/Istanbul", "2026-07-01 08:00", "2026-07-01 11:00", id="istanbul-summer"),
        pytest.param("Europe/London", "2026-03-30 07:00", "2026-03-30 08:00", id="london-summer"),
        pytest.param("Asia/Tehran", "2026-06-01 08:00", "2026-06-01 11:30", id="tehran-no-dst-since-2022"),
        pytest.param("Asia/Kabul", "2026-07-01 08:00", "2026-07-01 12:30", id="kabul-summer"),
    ],
)
def test_wall_clock_and_instant_across_dst(zone: str, utc: str, local: str):
    starts_at = datetime.fromisoformat(utc).replace(tzinfo=UTC)
    calendar = parse(make_invite(zone=zone, starts_at=starts_at))

    assert wall_clock(calendar, "dtstart") == (zone, datetime.fromisoformat(local))
    assert seen_instant(calendar, "dtstart") == starts_at
    assert seen_instant(calendar, "dtend") == starts_at + timedelta(hours=1)


def test_first_pass_of_the_repeated_autumn_hour_is_written_in_the_local_zone():
    # 00:30 UTC on 25 October 2026 is 02:30 CEST, the first of two 02:30s in Belgrade
    starts_at = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    calendar = parse(make_invite(starts_at=starts_at, ends_at=starts_at + timedelta(minutes=20)))

    assert wall_clock(calendar, "dtstart") == ("Europe/Belgrade", datetime(2026, 10, 25, 2, 30))
    assert seen_instant(calendar, "dtstart") == starts_at


def test_second_pass_of_the_repeated_autumn_hour_is_written_in_utc():
    """02:30 CET on 25 October would be read as the earlier 02:30 CEST, an hour too early."""
    starts_at = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    calendar = parse(make_invite(starts_at=starts_at))

    assert wall_clock(calendar, "dtstart") == (None, datetime(2026, 10, 25, 1, 30))
    assert seen_instant(calendar, "dtstart") == starts_at
    assert wall_clock(calendar, "dtend") == ("Europe/Belgrade", datetime(2026, 10, 25, 3, 30))
    assert seen_instant(calendar, "dtend") == starts_at + timedelta(hours=1)


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        pytest.param("Europe/Belgrade", datetime(2026, 3, 28, 12, tzinfo=UTC), id="belgrade-spring"),
        pytest.param("Europe/Belgrade", datetime(2026, 10, 24, 12, tzinfo=UTC), id="belgrade-autumn"),
        pytest.param("Europe/London", datetime(2026, 3, 28, 12, tzinfo=UTC), id="london-spring"),
        pytest.param("Europe/London", datetime(2026, 10, 24, 12, tzinfo=UTC), id="london-autumn"),
        pytest.param("America/New_York", datetime(2026, 3, 7, 18, tzinfo=UTC), id="new-york-spring"),
        pytest.param("America/New_York", datetime(2026, 10, 31, 18, tzinfo=UTC), id="new-york-autumn"),
    ],
)
def test_every_half_hour_around_a_change_night_reads_back_as_the_same_instant(zone: str, day: datetime):
    """A 30-hour sweep over the night the clocks change, one-hour sessions starting every half hour."""
    for step in range(60):
        starts_at = day + timedelta(minutes=30 * step)
        calendar = parse(make_invite(zone=zone, starts_at=starts_at))
        assert seen_instant(calendar, "dtstart") == starts_at, f"{zone} {starts_at}"
        assert seen_instant(calendar, "dtend") == starts_at + timedelta(hours=1), f"{zone} {starts_at}"


@pytest.mark.parametrize("zone", ["UTC", "Etc/UTC"])
def test_a_utc_recipient_gets_plain_utc_times_and_no_vtimezone(zone: str):
    data = render_invite(make_invite(zone=zone))
    calendar = vobject.readOne(data.decode("utf-8"))

    assert b"DTSTART:20260113T080000Z\r\n" in data
    assert b"DTEND:20260113T090000Z\r\n" in data
    assert vtimezone_ids(calendar) == []
    assert seen_instant(calendar, "dtstart") == SESSION_START


def test_vtimezone_is_limited_to_the_years_around_the_session():
    data = render_invite(make_invite())
    block = vtimezone_block(data, "Europe/Belgrade")

    assert len(block) < 2048
    assert b"2025" in block
    assert b"2027" in block
    assert b"1970" not in block
    assert b"2038" not in block


def test_dtstamp_is_the_given_stamp_in_utc():
    stamp = datetime(2026, 1, 10, 13, 0, tzinfo=ZoneInfo("Europe/Belgrade"))
    calendar = parse(make_invite(stamp=stamp))

    assert calendar.vevent.dtstamp.value == datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    assert b"DTSTAMP:20260110T120000Z\r\n" in render_invite(make_invite(stamp=stamp))


# --- method, status, sequence ----------------------------------------------------------------


def test_calendar_identifies_rris_and_icalendar_2():
    calendar = parse(make_invite())

    assert calendar.prodid.value == "-//RRIS//Regional Remote Interpretation Service//EN"
    assert calendar.version.value == "2.0"
    assert len(calendar.contents["vevent"]) == 1


def test_a_new_booking_is_a_confirmed_request_at_sequence_0():
    calendar = parse(make_invite())

    assert calendar.method.value == "REQUEST"
    assert calendar.vevent.status.value == "CONFIRMED"
    assert calendar.vevent.sequence.value == "0"
    assert calendar.vevent.uid.value == "booking-RR-ABC123@rris"
    assert "valarm" not in calendar.vevent.contents


def test_a_changed_booking_keeps_its_uid_and_bumps_the_sequence():
    calendar = parse(make_invite(sequence=1, starts_at=SESSION_START + timedelta(hours=2)))

    assert calendar.method.value == "REQUEST"
    assert calendar.vevent.sequence.value == "1"
    assert calendar.vevent.uid.value == "booking-RR-ABC123@rris"


def test_a_cancellation_is_method_cancel_with_status_cancelled_and_the_same_uid():
    calendar = parse(make_invite(method=InviteMethod.CANCEL, sequence=2))

    assert calendar.method.value == "CANCEL"
    assert calendar.vevent.status.value == "CANCELLED"
    assert calendar.vevent.sequence.value == "2"
    assert calendar.vevent.uid.value == "booking-RR-ABC123@rris"


def test_a_booking_waiting_for_an_interpreter_is_tentative():
    assert parse(make_invite(tentative=True)).vevent.status.value == "TENTATIVE"


def test_cancelling_a_tentative_booking_is_still_cancelled():
    assert parse(make_invite(tentative=True, method=InviteMethod.CANCEL)).vevent.status.value == "CANCELLED"


def test_method_given_as_a_plain_string_is_accepted():
    assert make_invite(method="CANCEL").method is InviteMethod.CANCEL


# --- people and text -------------------------------------------------------------------------


def test_organizer_and_attendees_round_trip_with_non_ascii_names():
    optional = Attendee("observer@unhcr.example", "Petrović, Ana", role="OPT-PARTICIPANT")
    calendar = parse(make_invite(attendees=(CASEWORKER, INTERPRETER, optional)))

    organizer = calendar.vevent.organizer
    assert organizer.value == "mailto:bookings@rris.example"
    assert organizer.params["CN"] == ["RRIS Bookings"]
    attendees = [(line.value, line.params) for line in calendar.vevent.contents["attendee"]]
    assert attendees == [
        (
            f"mailto:{person.email}",
            {"CN": [person.name], "ROLE": [person.role], "PARTSTAT": ["NEEDS-ACTION"], "RSVP": ["FALSE"]},
        )
        for person in (CASEWORKER, INTERPRETER, optional)
    ]
    assert attendees[0][1]["CN"] == ["Đorđe Petrović"]


def test_non_ascii_organizer_name_round_trips():
    organizer = Attendee("mariam@interpreters.example", "Mariam Ahmadzai — مریم احمدزی")
    assert parse(make_invite(organizer=organizer)).vevent.organizer.params["CN"] == [organizer.name]


def test_description_with_commas_semicolons_and_newlines_round_trips():
    description = "Case 2026/17; room 4, second floor.\nBring ID; no phones, please.\nPath: C:\\cases"
    calendar = parse(make_invite(description=description, summary="Đorđe; Mariam, Dari"))

    assert calendar.vevent.description.value == description
    assert calendar.vevent.summary.value == "Đorđe; Mariam, Dari"


def test_the_summary_and_description_say_their_language_when_it_is_given():
    calendar = parse(make_invite(summary="Превођење", description="Када", language="sr-Cyrl"))
    assert calendar.vevent.summary.params["LANGUAGE"] == ["sr-Cyrl"]
    assert calendar.vevent.description.params["LANGUAGE"] == ["sr-Cyrl"]
    assert "LANGUAGE" not in parse(make_invite()).vevent.summary.params


def test_url_and_location_appear_only_when_given():
    bare = parse(make_invite())
    assert "url" not in bare.vevent.contents
    assert "location" not in bare.vevent.contents

    full = parse(make_invite(url="https://rris.example/sessions/RR-ABC123", location="Video call"))
    assert full.vevent.url.value == "https://rris.example/sessions/RR-ABC123"
    assert full.vevent.location.value == "Video call"


def test_equal_invites_render_to_identical_bytes():
    first = render_invite(make_invite(tentative=True))
    second = render_invite(make_invite(tentative=True))

    assert first == second
    assert first.startswith(b"BEGIN:VCALENDAR\r\n")


# --- mail attachment -------------------------------------------------------------------------


@pytest.mark.parametrize("method", list(InviteMethod))
def test_attachment_content_type_method_matches_the_method_inside(method: InviteMethod):
    invite = make_invite(method=method)
    attachment = invite_attachment(invite)

    assert (attachment.filename, attachment.maintype, attachment.subtype) == ("invite.ics", "text", "calendar")
    assert attachment.params == {"method": method.value, "charset": "utf-8"}
    assert attachment.content == render_invite(invite)
    assert vobject.readOne(attachment.content.decode("utf-8")).method.value == attachment.params["method"]


def test_the_sent_email_carries_the_method_on_its_calendar_part():
    invite = make_invite(method=InviteMethod.CANCEL, sequence=3)
    attachments = (invite_attachment(invite),)
    message = OutgoingMessage(to=(CASEWORKER.email,), subject="Cancelled", text="Cancelled.", attachments=attachments)
    received = message_from_bytes(build_email(message, "bookings@rris.example").as_bytes())

    [part] = [part for part in received.walk() if part.get_content_type() == "text/calendar"]
    assert isinstance(part, Message)
    assert part.get_param("method") == "CANCEL"
    assert part.get_filename() == "invite.ics"
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    assert vobject.readOne(payload.decode("utf-8")).method.value == "CANCEL"


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["starts_at", "ends_at", "stamp"])
def test_naive_datetimes_are_refused(field: str):
    naive = {"starts_at": SESSION_START, "ends_at": SESSION_START + timedelta(hours=1), "stamp": SESSION_START}[field]
    with pytest.raises(ValueError, match=field):
        make_invite(**{field: naive.replace(tzinfo=None)})


@pytest.mark.parametrize("length", [timedelta(0), timedelta(minutes=-30)])
def test_a_session_must_end_after_it_starts(length: timedelta):
    with pytest.raises(ValueError, match="ends_at"):
        make_invite(ends_at=SESSION_START + length)


def test_sequence_cannot_be_negative():
    with pytest.raises(ValueError, match="sequence"):
        make_invite(sequence=-1)


def test_zone_must_be_an_iana_zone():
    with pytest.raises(ValueError, match="zone"):
        make_invite(zone="Mars/Olympus_Mons")


def test_attendee_role_must_be_an_rfc_5545_role():
    with pytest.raises(ValueError, match="role"):
        Attendee("someone@example.org", "Someone", role="INTERPRETER")
