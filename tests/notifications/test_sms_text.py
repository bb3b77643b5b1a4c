"""An SMS is shortened by segments, not characters: Cyrillic and Arabic-script text travels as
UCS-2 (70 units in one segment, 67 per part), so two segments hold 134 of its characters. A text
over its budget is cut at a space, never inside a word or a surrogate pair, with an ellipsis, and
the link to answer at stays whole. A Pashto interpreter's offer arrives whole, in two segments."""

from __future__ import annotations

from datetime import UTC, datetime

from rris.notifications.domain.sms_text import fit_sms, sms_size
from tests import factories
from tests.notifications.test_channels import sms_folder  # noqa: F401 (a fixture)
from tests.notifications.test_message_language import jelena  # noqa: F401 (a fixture)
from tests.notifications.test_outbox import book_now, dispatch

LINK = "https://rris.test/offers"


def test_the_encoding_decides_how_much_a_segment_holds():
    english = sms_size("RRIS: job offer, Pashto to Serbian, Wed 14 Jan 09:00. Answer at " + LINK)
    assert english.encoding == "gsm7" and english.segments == 1
    assert sms_size("a" * 160).segments == 1 and sms_size("a" * 161).segments == 2  # 153 per part once split
    assert sms_size("€" * 80).units == 160  # the extension characters count twice
    assert sms_size("ш" * 70).segments == 1 and sms_size("ш" * 71).segments == 2  # Cyrillic: UCS-2
    assert sms_size("د" * 134).segments == 2 and sms_size("د" * 135).segments == 3  # 67 per part
    assert sms_size("🙂").units == 2  # outside the Basic Multilingual Plane: a surrogate pair


def test_a_long_pashto_text_is_cut_at_a_word_and_keeps_its_link():
    words = "د دندې وړاندیز، پښتو–سربيائي، څلرنۍ جنوري ۱۴ ۱۲:۳۰ کابل " * 6
    text = f"RRIS: {words}ځواب په {LINK} کې ورکړئ"
    fitted = fit_sms(text, 2, keep=LINK)
    size = sms_size(fitted)
    assert size.encoding == "ucs2" and size.segments == 2 and size.units <= 134
    assert fitted.endswith(f"… {LINK} کې ورکړئ")  # the link and the end of the sentence whole
    kept = fitted.split("…")[0]
    assert text.startswith(kept) and text[len(kept)] in " ،"  # cut between words, not inside one


def test_a_cut_never_splits_a_surrogate_pair_or_a_word_in_arabic():
    text = "تذكير " + "🙂 " * 40 + "بالموعد " * 20
    fitted = fit_sms(text, 2)
    assert sms_size(fitted).segments <= 2
    fitted.encode("utf-8")  # raises on a lone surrogate
    assert all(word in text.split(" ") for word in fitted.removesuffix("…").split(" "))


def test_a_gsm_text_gets_three_dots_so_it_stays_gsm():
    fitted = fit_sms("RRIS reminder " + "word " * 80, 2)
    assert fitted.endswith("word...") and sms_size(fitted).encoding == "gsm7" and sms_size(fitted).units <= 306


def test_a_text_that_fits_is_left_as_it_is():
    assert fit_sms("RRIS: عرض عمل", 2) == "RRIS: عرض عمل"


def test_a_pashto_interpreters_offer_sms_arrives_whole_within_two_segments(jelena, clock, sms_folder):  # noqa: F811
    factories.interpreter(
        pairs=(("pus", "srp"),),
        email="mariam@interpreters.example",
        locale="ps",
        phone="+93701234567",
        phone_verified_at=datetime(2025, 12, 1, tzinfo=UTC),
        sms_opt_in=True,
    )
    book_now(jelena)
    dispatch(clock)
    [saved] = sms_folder.glob("*.txt")
    text = saved.read_text("utf-8")
    assert "ځواب" in text and "https://rris.test/offers" in text and "…" not in text
    sent = text[text.index("RRIS:"):].strip()
    assert sms_size(sent).encoding == "ucs2" and sms_size(sent).segments <= 2
