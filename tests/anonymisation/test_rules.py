"""The anonymisation rules one by one: what each kind flags, and the pseudonyms and lookalikes it leaves alone."""

from __future__ import annotations

import pytest

from gwersi.anonymisation import check_text, declared_pseudonyms


def kinds_found(text: str) -> list[tuple[str, str]]:
    findings, _pseudonyms, _model = check_text(text, use_model=False)
    return [(f.kind, f.text) for f in findings]


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("The referral was made by Sarah Jenkins after a visit.", "person_name", "Sarah Jenkins"),
        ("A neighbour, Mrs Prosser, called the police.", "person_name", "Mrs Prosser"),
        ("Dr Anjali Patel saw the baby twice.", "person_name", "Dr Anjali Patel"),
        ("The child was born on 14 March 2009 at home.", "date_of_birth", "14 March 2009"),
        ("Her date of birth (02/11/2015) was wrong.", "date_of_birth", "02/11/2015"),
        ("On 23rd October 2018 the school made a referral.", "full_date", "23rd October 2018"),
        ("A meeting was held on March 3, 2016.", "full_date", "March 3, 2016"),
        ("The file is dated 2019-06-12.", "full_date", "2019-06-12"),
        ("Police attended 42 Maple Close, Bridgend after a call.", "address", "42 Maple Close, Bridgend"),
        ("The family moved to 8 Heol y Nant in May.", "address", "8 Heol y Nant"),
        ("The tenancy was in the CF14 3LX area.", "postcode", "CF14 3LX"),
        ("Mother could be reached on 029 2087 1234 in the day.", "phone", "029 2087 1234"),
        ("The caller left +44 7700 900123 with the desk.", "phone", "+44 7700 900123"),
        ("The school wrote to j.prosser77@mail.co.uk about attendance.", "email", "j.prosser77@mail.co.uk"),
        ("Her NHS number 401 023 2137 was on the form.", "nhs_number", "401 023 2137"),
        ("The letter quoted 943 476 5919 for the baby.", "nhs_number", "943 476 5919"),
        ("Child A attended Coedylan Primary School until the move.", "school", "Coedylan Primary School"),
        ("The sibling started at Ysgol y Graig in September.", "school", "Ysgol y Graig"),
        (
            "In March 2019 a girl, aged 15, was stabbed at a park in Llandeilo.",
            "rare_combination",
            "In March 2019 a girl, aged 15, was stabbed at a park in Llandeilo.",
        ),
    ],
)
def test_each_kind_is_flagged_with_its_exact_text(text: str, kind: str, expected: str) -> None:
    found = kinds_found(text)
    assert (kind, expected) in found, found
    start = text.index(expected)
    findings, _p, _m = check_text(text, use_model=False)
    match = next(f for f in findings if f.kind == kind and f.text == expected)
    assert (match.start, match.end) == (start, start + len(expected))
    assert match.reason


@pytest.mark.parametrize(
    "text",
    [
        "Child A lived with Mother and Sibling 1; Adult B was her partner.",
        "Mr N and Ms J were known to mental health services; Baby D was born early.",
        "Young Person M was sixteen years old when the review began.",
        "The review covered March 2014 to June 2015, and was published in 2019.",
        "7.1 February 2024: a neighbour called the police.",
        "See paragraphs 4.1.12 and 2.3 of the report, and CPR 1/2020.",
        "The North Wales Safeguarding Children Board and Betsi Cadwaladr University Health Board took part.",
        "South Wales Police shared the notification with Cardiff Council Children's Services.",
        "A Clare's Law disclosure was made in July 2017.",
        "The children's primary school and the local high school were told.",
        "The GP practice called 999 and the ambulance arrived in 12 minutes.",
        "The standards S12 and S16 were both relevant to 1,250 passages.",
        "Neither Kuba nor Adult S was offered a referral; Kuba's mother chose the name Kuba for this report.",
    ],
)
def test_pseudonyms_roles_agencies_and_partial_dates_are_not_flagged(text: str) -> None:
    assert kinds_found(text) == []


@pytest.mark.parametrize(
    ("text", "declared"),
    [
        ("The name Carys was chosen by her family. The perpetrator is referred to as 'Dean'.", {"Carys", "Dean"}),
        ("Pseudonyms are used for Seren and Lee.", {"Seren", "Lee"}),
        ("‘Eirlys’, a pseudonym chosen by her daughter, was seventy-nine.", {"Eirlys"}),
        ("Megan's family chose her pseudonym.", {"Megan"}),
        ("Sarah Jenkins attended the meeting.", set()),
    ],
)
def test_pseudonyms_introduced_by_the_report(text: str, declared: set[str]) -> None:
    assert declared_pseudonyms(text) == declared


def test_a_declared_pseudonym_is_not_flagged_but_an_undeclared_first_name_is() -> None:
    text = "Pseudonyms are used for Carys. Carys told her GP. Later Gareth told the police."
    assert kinds_found(text) == [("person_name", "Gareth")]


def test_a_birth_cue_turns_a_full_date_into_a_date_of_birth() -> None:
    assert kinds_found("Child A (born 3 May 2012) was seen.") == [("date_of_birth", "3 May 2012")]
    assert kinds_found("Child A was seen on 3 May 2012.") == [("full_date", "3 May 2012")]


def test_an_invalid_ten_digit_number_without_a_label_is_not_an_nhs_number() -> None:
    assert kinds_found("The case reference was 123 456 7890.") == []
    assert kinds_found("NHS number: 123 456 7890.") == [("nhs_number", "123 456 7890")]


def test_findings_from_a_pdf_carry_their_page_and_slice_the_parsed_text() -> None:
    from gwersi.anonymisation import check_parsed
    from ingest.pipeline import parse_file
    from tests.conftest import SAMPLES

    parsed = parse_file(SAMPLES / "mhhr_gwent_2017.pdf")
    report = check_parsed(parsed, use_model=False)
    assert report.findings
    for f in report.findings:
        assert f.page is not None and 1 <= f.page <= (parsed.page_count or 0)
        assert parsed.text[f.start : f.end] == f.text
