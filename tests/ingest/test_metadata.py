"""Reference, board, type, subject and age rules, as tables."""

from __future__ import annotations

import pytest

from ingest.gazetteer import find_agencies
from ingest.metadata import (
    age_band,
    criteria_met,
    find_age_band,
    find_board,
    find_csp,
    find_reference,
    find_subject,
    parse_number,
    review_level,
    review_type,
)
from ingest.models import AGE_BANDS

CTM = "Cwm Taf Morgannwg Safeguarding Board"
NW = "North Wales Safeguarding Board"
MWW = "Mid and West Wales Safeguarding Board"
WG = "West Glamorgan Safeguarding Board"
CV = "Cardiff and Vale Regional Safeguarding Board"
GW = "Gwent Safeguarding Board"


@pytest.mark.parametrize(
    ("text", "reference", "year", "board"),
    [
        ("Concise Child Practice Review re: CPR CTMSB 8/2020 (Child A)", "CPR CTMSB 8/2020", 2020, CTM),
        ("see APR CTMSB 03-2022 and the briefing", "APR CTMSB 03-2022", 2022, CTM),
        ("Extended Child Practice Review re: CYSUR 4 2019", "CYSUR 4 2019", 2019, MWW),
        ("CWMPAS 2/2021", "CWMPAS 2/2021", 2021, MWW),
        ("WGSB CPR 1/2021 – Final Report", "WGSB CPR 1/2021", 2021, WG),
        ("WGSB S71 2023", "WGSB S71 2023", 2023, WG),
        ("SEWSCB 3/2022 (Child L)", "SEWSCB 3/2022", 2022, GW),
        ("GwASB SUSR 1/2026", "GwASB SUSR 1/2026", 2026, GW),
        ("CVRSB APR 2/2024 (Adult A)", "CVRSB APR 2/2024", 2024, CV),
        ("Extended Adult Practice Review re: APR CONWY 1", "APR CONWY 1", None, NW),
        ("Concise CPR FLINT 2 report", "CPR FLINT 2", None, NW),
        (
            "re: Anglesey Extended Child Practice Review 1 (Young Person C)",
            "Anglesey Extended Child Practice Review 1",
            None,
            NW,
        ),
        ("Domestic Homicide Review: DHR Cardiff 2019/1", "DHR Cardiff 2019/1", 2019, CV),
        ("DHR Newport 1/2023", "DHR Newport 1/2023", 2023, GW),
        ("DHR – Swansea – ‘Seren’ – 2018", "DHR – Swansea – ‘Seren’ – 2018", 2018, WG),
        ("North Wales Safeguarding Board reference: MHHR NWSB 1/2020", "MHHR NWSB 1/2020", 2020, NW),
    ],
)
def test_reference_patterns(text: str, reference: str, year: int | None, board: str) -> None:
    found = find_reference(text)
    assert found is not None
    assert found[:3] == (reference, year, board)


def test_no_reference_in_plain_prose() -> None:
    assert find_reference("The review looked at the period from 2019 to 2020.") is None


@pytest.mark.parametrize(
    ("front", "board"),
    [
        ("Bwrdd Diogelu Cwm Taf Morgannwg", CTM),
        ("North Wales Safeguarding Children Board", NW),
        ("Bwrdd Diogelu Canolbarth a Gorllewin Cymru", MWW),
        (
            "in partnership with West Glamorgan Safeguarding Board (formerly Western Bay Safeguarding Board)",
            WG,
        ),
        ("Cardiff and Vale of Glamorgan Regional Safeguarding Children Board", CV),
        ("South East Wales Safeguarding Children Board", GW),
        ("Bwrdd Diogelu Rhanbarthol Caerdydd a'r Fro", CV),
        ("Published on cysur.wales", MWW),
    ],
)
def test_board_from_names(front: str, board: str) -> None:
    assert find_board(front, "", None) == board


def test_board_from_partners_when_no_board_is_named() -> None:
    body = "Betsi Cadwaladr University Health Board and North Wales Police met in Wrexham."
    assert find_board("", body, None) == NW


@pytest.mark.parametrize(
    ("front", "kind"),
    [
        ("Concise Child Practice Review re: Child A", "CPR"),
        ("Extended Adult Practice Review re: Adult D", "APR"),
        ("Domestic Homicide Review: Overview Report", "DHR"),
        ("Single Unified Safeguarding Review – met the criteria for a Child Practice Review", "SUSR"),
        ("Offensive Weapons Homicide Review into the death of Jac", "OWHR"),
        (
            "Report of a review in respect of: Mr N and the provision of Mental Health Services, "
            "following a Homicide committed in 2014",
            "MHHR",
        ),
    ],
)
def test_review_type_from_the_cover(front: str, kind: str) -> None:
    assert review_type(front, "", None) == kind


def test_review_type_falls_back_to_reference_token() -> None:
    assert review_type("Report", "", "APR") == "APR"


@pytest.mark.parametrize(
    ("kind", "front", "level"),
    [
        ("CPR", "Concise Child Practice Review re: Child A", "concise"),
        ("APR", "Extended Adult Practice Review", "extended"),
        ("SUSR", "This SUSR met the criteria for a concise Child Practice Review.", "concise"),
        ("DHR", "Concise Child Practice Review", None),
        ("SUSR", "This SUSR met the criteria for a Domestic Homicide Review.", None),
    ],
)
def test_level(kind: str, front: str, level: str | None) -> None:
    assert review_level(kind, front, "") == level


@pytest.mark.parametrize(
    ("front", "criteria"),
    [
        (
            "This SUSR met the criteria for a concise Child Practice Review and a Domestic Homicide Review.",
            ("CPR", "DHR"),
        ),
        (
            "This SUSR met the criteria for a Domestic Homicide Review and an Adult Practice Review.",
            ("DHR", "APR"),
        ),
        (
            "Criteria met: the criteria for an Offensive Weapons Homicide Review. No other review criteria applied.",
            ("OWHR",),
        ),
    ],
)
def test_criteria_met(front: str, criteria: tuple[str, ...]) -> None:
    assert criteria_met(front, "The criteria for a Domestic Homicide Review did not apply.") == criteria


@pytest.mark.parametrize(
    ("front", "subject"),
    [
        ("Concise Child Practice Review re: CPR CTMSB 8/2020 (Child A)", "Child A"),
        (
            "Extended Child Practice Review re: Anglesey Extended Child Practice Review 1 (Young Person C)",
            "Young Person C",
        ),
        ("Overview Report into the death of 'Carys', aged 34", "Carys"),
        ("Single Unified Safeguarding Review: ‘Eirlys’", "Eirlys"),
        ("Report of a review in respect of: Ms J and the provision of Mental Health Services", "Ms J"),
        ('Concise Child Practice Review re: CVRSB CPR 1/2018 ("Child B")', "Child B"),
    ],
)
def test_subject(front: str, subject: str) -> None:
    assert find_subject(front, "", None) == subject


@pytest.mark.parametrize(
    ("subject", "text", "band"),
    [
        ("Child A", "Child A was two years old in January 2019 when", "1-4"),
        ("Child A", "Child A is a boy who was 14 years old at the time", "11-15"),
        ("Adult D", "Adult D was a forty-seven-year-old man who lived alone", "25-64"),
        ("Adult A", "Adult A was an 83-year-old man", "65+"),
        ("Adult E", "Adult E is a nineteen-year-old man", "18-24"),
        ("Carys", "the death of 'Carys', aged 34, in September 2017", "25-64"),
        ("Eirlys", "‘Eirlys’, a pseudonym chosen by her daughter, was seventy-nine years old when", "65+"),
        ("Ms J", "In March 2019 Ms J, then aged 42, killed her neighbour", "25-64"),
        ("Young Person C", "Young Person C is a young man who was 18 years and three months old", "18-24"),
        ("Baby D", "Baby D was seven weeks old when", "infant_<1"),
        ("Megan", 'Subject: "Megan" (a pseudonym chosen by her family), aged 17', "16-17"),
        ("Child A", "Child A lived with Mother. Her brother was aged nine.", "unknown"),
    ],
)
def test_age_band_of_the_subject(subject: str, text: str, band: str) -> None:
    assert find_age_band(subject, text, "") == band


@pytest.mark.parametrize(
    ("value", "unit", "band"),
    [
        (3, "days", "infant_<1"),
        (13, "weeks", "infant_<1"),
        (11, "months", "infant_<1"),
        (18, "months", "1-4"),
        (4, "years", "1-4"),
        (5, "years", "5-10"),
        (15, "years", "11-15"),
        (16, "years", "16-17"),
        (24, "years", "18-24"),
        (25, "years", "25-64"),
        (65, "years", "65+"),
    ],
)
def test_age_band_boundaries(value: int, unit: str, band: str) -> None:
    assert age_band(value, unit) == band
    assert band in AGE_BANDS


@pytest.mark.parametrize(("token", "value"), [("34", 34), ("thirty-four", 34), ("nineteen", 19), ("seventy", 70)])
def test_number_words(token: str, value: int) -> None:
    assert parse_number(token) == value


def test_community_safety_partnership() -> None:
    front = "Commissioned jointly with Bridgend Community Safety Partnership"
    assert find_csp(front, "", "SUSR") == "Bridgend Community Safety Partnership"
    assert find_csp("", "The Community Safety Partnership met.", "DHR") is None


def test_agencies_use_canonical_names_and_count_mentions() -> None:
    text = (
        "South Wales Police shared the PPN. SWP later attended. Cwm Taf Morgannwg UHB and the health visitor "
        "met the GP. The health visiting team and WAST were told; the IDVA and Welsh Women’s Aid helped. "
        "CAMHS and the Youth Offending Team were not involved. Children’s Services closed the case."
    )
    found = find_agencies(text)
    assert found["South Wales Police"] == ("police", 2)
    assert found["Cwm Taf Morgannwg University Health Board"][1] == 1
    assert found["Health Visiting"][1] == 2
    assert found["General Practice"][1] == 1
    assert found["Welsh Ambulance Services NHS Trust"][1] == 1
    assert found["IDVA Service"][1] == 1
    assert found["Welsh Women's Aid"][1] == 1
    assert "Women's Aid" not in found
    assert found["CAMHS"][1] == 1
    assert found["Youth Justice Service"][1] == 1
    assert found["Children's Services"][1] == 1
