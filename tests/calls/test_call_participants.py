"""Call participants: one value, one wire form that the portal, signalling and the pages share."""

from __future__ import annotations

import pytest

from rris.calls.domain.call_participants import MalformedParticipant, Participant, ParticipantKind


@pytest.mark.parametrize(
    ("wire", "participant"),
    [
        ("user-7", Participant.user(7)),
        ("guest-3", Participant.guest(3)),
        ("phone-user-7", Participant(ParticipantKind.PHONE, 7)),
        ("phone-dialin-12", Participant.caller(12)),
        ("user-0", Participant.user(0)),
        ("guest-999999999999999999", Participant.guest(10**18 - 1)),
    ],
)
def test_every_kind_reads_back_from_the_string_it_is_written_as(wire, participant):
    assert Participant.parse(wire) == participant
    assert participant.encode() == wire == str(participant)
    assert Participant.parse(participant.encode()) == participant


@pytest.mark.parametrize(
    "wire",
    [
        "",
        "7",
        "user",
        "user-",
        "user-x",
        "user--7",
        "user-07",  # a second spelling of user 7 would be a second participant in the room
        "user-7 ",
        " user-7",
        "USER-7",
        "admin-7",
        "phone-guest-3",  # guests are never rung
        "phone-7",
        "phone-phone-user-7",
        "user-1000000000000000000",  # 19 digits: no database key is that long
        "user-٣",  # an Arabic-Indic digit
        None,
        7,
    ],
)
def test_anything_else_is_refused_saying_what_a_participant_looks_like(wire):
    with pytest.raises(MalformedParticipant, match=r"'user-<id>', 'guest-<id>', 'phone-user-<id>'") as refused:
        Participant.parse(wire)
    assert repr(wire) in str(refused.value)
    assert isinstance(refused.value, ValueError)  # callers that catch bad input catch this too


@pytest.mark.parametrize(
    ("kind", "number", "field"),
    [
        ("user", 7, "kind"),
        (ParticipantKind.USER, -1, "id"),
        (ParticipantKind.USER, True, "id"),
        (ParticipantKind.GUEST, "3", "id"),
        (ParticipantKind.GUEST, 10**18, "id"),
    ],
)
def test_a_participant_cannot_be_made_of_a_bad_kind_or_id(kind, number, field):
    with pytest.raises(MalformedParticipant, match=f"^{field} must be"):
        Participant(kind, number)


def test_a_person_and_their_phone_know_each_other():
    mariam = Participant.user(7)
    assert mariam.phone() == Participant.parse("phone-user-7")
    assert mariam.phone().person() == mariam
    assert mariam.phone().user_id == mariam.user_id == 7
    assert mariam.phone().is_phone and not mariam.is_phone


def test_guests_and_callers_are_nobody_with_an_account_and_have_no_phone_of_their_own():
    guest, caller = Participant.guest(3), Participant.caller(12)
    assert guest.user_id is None and caller.user_id is None
    assert caller.is_phone and not guest.is_phone
    assert caller.person() is None and guest.person() is None
    with pytest.raises(MalformedParticipant, match="only a person with an account has a phone"):
        guest.phone()
    with pytest.raises(MalformedParticipant):
        caller.phone()


def test_the_same_participant_is_one_key_and_a_user_and_a_guest_of_one_id_are_two():
    room = {Participant.parse("user-7"): "page", Participant.guest(7): "guest"}
    assert room[Participant.user(7)] == "page"
    assert len(room) == 2
