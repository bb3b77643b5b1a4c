"""Every applicant the pool serves has a notice in their language, with the four points, in the
direction its script runs; a text that lost a point is refused when read."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from rris.bookings.domain.applicant_notice import (
    SAME_READING,
    Direction,
    NoticeFormatError,
    NoticePoint,
    notice_language,
    parse_notice,
    same_reading,
)
from rris.bookings.integrations.notice_texts import translated_notices
from rris.demo.history_plan import APPLICANT_LANGUAGES
from rris.pool.domain.languages import POOL_LANGUAGES

# The issue's list: Pashto, Dari, Farsi, Arabic, Urdu, Kurdish (both varieties), Tigrinya, Somali, Bengali, French.
ISSUE_LANGUAGES = ("pus", "prs", "pes", "arb", "urd", "ckb", "kmr", "tir", "som", "ben", "fra")
RIGHT_TO_LEFT = {"pus", "prs", "pes", "arb", "urd", "ckb"}

WELL_FORMED = """# a comment
lang: fr
dir: ltr

[title]
Titre
[role]
Un.
[neutrality]
Deux.
[objection]
Trois,
sur deux lignes.
[connection]
Quatre.
"""


def test_every_language_of_the_issue_has_its_own_notice():
    assert set(ISSUE_LANGUAGES) <= set(translated_notices())


@pytest.mark.parametrize("language", sorted(set(POOL_LANGUAGES) | set(APPLICANT_LANGUAGES)))
def test_every_applicant_language_of_the_pool_and_the_demo_has_a_notice_to_read(language):
    assert notice_language(language, translated_notices()) is not None


@pytest.mark.parametrize("language", ISSUE_LANGUAGES)
def test_each_notice_says_all_four_points_and_runs_in_its_scripts_direction(language):
    notice = translated_notices()[language]
    assert len(notice.text.paragraphs) == len(NoticePoint) == 4
    assert all(paragraph.strip() for paragraph in notice.text.paragraphs) and notice.text.title.strip()
    expected = Direction.RTL if language in RIGHT_TO_LEFT else Direction.LTR
    assert notice.direction is expected
    assert notice.tag  # a BCP 47 tag for the page's lang attribute


def test_no_notice_names_a_person_or_a_placeholder():
    """The interpreter is introduced by role: no name, no template placeholder left for one."""
    for notice in translated_notices().values():
        text = " ".join((notice.text.title, *notice.text.paragraphs))
        assert "%(" not in text and "{" not in text


def test_a_file_is_read_section_by_section():
    notice = parse_notice("fra", WELL_FORMED)
    assert notice.tag == "fr" and notice.direction is Direction.LTR and notice.text.title == "Titre"
    assert notice.text.paragraphs == ("Un.", "Deux.", "Trois, sur deux lignes.", "Quatre.")


@pytest.mark.parametrize(
    ("broken", "named"),
    [
        (WELL_FORMED.replace("[objection]\nTrois,\nsur deux lignes.\n", ""), "[objection] is missing"),
        (WELL_FORMED.replace("[connection]\nQuatre.\n", "[connection]\n"), "[connection] is missing or empty"),
        (WELL_FORMED + "[role]\nEncore.\n", "[role] appears twice"),
        (WELL_FORMED.replace("[role]", "[rights]"), "unknown section [rights]"),
        (WELL_FORMED.replace("dir: ltr", "dir: rtl"), "does not match the script"),
        (WELL_FORMED.replace("dir: ltr", "dir: sideways"), "dir: must be ltr or rtl"),
        (WELL_FORMED.replace("lang: fr\n", ""), "lang: (a BCP 47 tag) is missing"),
    ],
)
def test_a_file_that_lost_a_point_or_its_headers_is_refused_with_the_problem_named(broken, named):
    with pytest.raises(NoticeFormatError, match=r"^fra: .*" + re.escape(named)):
        parse_notice("fra", broken)


def test_spoken_arabic_varieties_read_the_standard_arabic_text_and_an_unknown_language_has_none():
    available = translated_notices()
    assert notice_language("apc", available) == "arb"
    assert notice_language("acm", available) == "arb"
    assert notice_language("tur", available) is None


def test_a_second_press_at_once_is_the_same_reading_a_later_one_or_another_text_is_not():
    at = datetime(2026, 1, 13, 8, 0, tzinfo=UTC)
    assert same_reading(at, "pus", "pus", at + timedelta(seconds=20))
    assert not same_reading(at, "pus", "pus", at + SAME_READING)
    assert not same_reading(at, "eng", "pus", at + timedelta(seconds=20))
