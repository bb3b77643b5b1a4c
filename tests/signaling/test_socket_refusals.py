"""A page the signalling service turns away is told why in the person's language: on /ondemand/ws
in its ticket's locale when the ticket could be read, else (and always on /calls/ws, whose tickets
name no locale) in the shipped locale the browser's Accept-Language prefers, else in English.
Real service on 127.0.0.1, real WebSocket clients, the app's FrozenClock."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_babel import force_locale, ngettext

from rris.calls.services.socket_refusals import refusal_locale, refusal_text
from signaling.protocol import Close
from tests.signaling.test_call_protocol import run
from tests.signaling.test_ondemand_live import interpreters, presence_token
from tests.support.call_bookings import token
from tests.support.call_peers import SignalingUnderTest

EXPIRED_PS = "د نښلېدو د اجازه‌لیک موده پای ته رسېدلې ده. مهرباني وکړئ پاڼه له سره پورته کړئ."
DAMAGED_TR = "Bağlantı izni hasarlı veya eksik. Lütfen sayfayı yenileyin."
WRONG_START_SR = "Stranica je otvorila vezu na pogrešan način. Molimo ponovo učitajte stranicu."
WRONG_START_EN = "The page opened the connection in the wrong way. Please reload the page."
EXPIRED_AR = "انتهت صلاحية تصريح الاتصال. يُرجى إعادة تحميل الصفحة."
DAMAGED_BS = "Dozvola za povezivanje je oštećena ili nepotpuna. Molimo ponovo učitajte stranicu."


async def refused(service: SignalingUnderTest, frame: dict[str, str], languages: str | None, url: str) -> dict:
    headers = {"Accept-Language": languages} if languages else None
    page = await service.connect(url=url, headers=headers)
    await page.send(frame["type"], **{k: v for k, v in frame.items() if k != "type"})
    kind = "refused" if url == service.presence_url else "error"
    answer = await page.expect(kind)
    await page.close_code()
    return answer


def test_a_live_page_is_refused_in_its_tickets_locale_else_in_its_browsers(app, clock, ctx):
    [mariam] = interpreters(1)
    in_pashto = presence_token(clock, mariam, locale="ps")

    async def scenario(service: SignalingUnderTest) -> None:
        hello = {"type": "hello", "ticket": "garbage"}
        damaged = await refused(service, hello, "tr-TR,tr;q=0.9,en;q=0.5", service.presence_url)
        assert (damaged["reason"], damaged["message"]) == ("malformed", DAMAGED_TR)
        wrong = await refused(service, {"type": "beat"}, "sr-Latn-RS, en;q=0.8", service.presence_url)
        assert (wrong["reason"], wrong["message"]) == ("hello_first", WRONG_START_SR)
        unknown = await refused(service, {"type": "beat"}, "de-DE, fr;q=0.9", service.presence_url)
        assert unknown["message"] == WRONG_START_EN  # no shipped locale asked for: English
        bare = await refused(service, {"type": "beat"}, None, service.presence_url)
        assert bare["message"] == WRONG_START_EN
        clock.advance(timedelta(minutes=2))
        expired = await refused(service, {"type": "hello", "ticket": in_pashto}, "tr", service.presence_url)
        assert (expired["reason"], expired["message"]) == ("expired", EXPIRED_PS)  # the ticket's locale wins

    run(app, clock, scenario)


def test_a_call_page_is_refused_in_its_browsers_language(app, clock, call):
    booking, jelena, _mariam = call
    her_ticket = token(booking, jelena, clock)

    async def scenario(service: SignalingUnderTest) -> None:
        join = {"type": "join", "ticket": "garbage"}
        damaged = await refused(service, join, "bs-BA,bs;q=0.9", service.url)
        assert (damaged["code"], damaged["message"]) == ("ticket_malformed", DAMAGED_BS)
        english = await refused(service, join, "en-GB", service.url)
        assert english["message"] == "This connection ticket is damaged or incomplete. Please reload the page."
        clock.advance(timedelta(days=2))
        expired = await refused(service, {"type": "join", "ticket": her_ticket}, "ar-SA, en;q=0.1", service.url)
        assert (expired["code"], expired["message"]) == ("ticket_expired", EXPIRED_AR)
        # a code without a sentence of RRIS's own (the page's script at fault) keeps its English one
        page = await service.connect(headers={"Accept-Language": "ar"})
        await page.socket.send_str("{not json")
        assert await page.expect("error") == {
            "type": "error",
            "code": "not_json",
            "message": "Frames must be JSON objects.",
        }
        assert await page.close_code() == Close.BAD_FRAME

    run(app, clock, scenario)


@pytest.mark.parametrize(
    ("ticket_locale", "header", "chosen"),
    [
        ("ps", "tr", "ps"),
        (None, "sr-ME", "sr_Latn"),
        (None, "sr", "sr_Cyrl"),
        (None, "de, fa-AF;q=0.8, fa;q=0.7", "fa_AF"),
        ("xx", "ur;q=0.5, ar", "ar"),  # a locale RRIS does not ship counts as none
        (None, "en-US", "en"),
        (None, ";;;garbage", "en"),
        (None, None, "en"),
    ],
)
def test_the_refusals_locale(ticket_locale, header, chosen):
    assert refusal_locale(ticket_locale, header) == chosen


def test_a_call_not_open_yet_says_how_long_before_the_start_it_opens_in_the_persons_plural(ctx):
    assert refusal_text("ticket_too_early", "English", None, "bs") == (
        "Poziv još nije otvoren: otvara se 15 minuta prije početka sesije."
    )
    with force_locale("ar"):
        arabic = ngettext(
            "The call is not open yet: it opens %(num)d minute before the session starts.",
            "The call is not open yet: it opens %(num)d minutes before the session starts.",
            15,
        )
    assert refusal_text("ticket_too_early", "English", "ar", None) == arabic and "15 دقيقة" in arabic
    assert refusal_text("not_json", "Frames must be JSON objects.", "ar", "ar") == "Frames must be JSON objects."
