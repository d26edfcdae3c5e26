"""Pure-logic tables for layout-invariant structure: heading inference, Word numbering, section
cues, references, ages, sub-recommendations and action-plan continuation rows.

Cases are invented for these tests or come from the issue and the held-out *dev* part; none is
taken from the frozen held-out test part.
"""

from __future__ import annotations

import io

import pytest

from ingest.action_plan import is_action_plan_table, table_rows
from ingest.headings import assign_levels, heading_shaped, infer_headings, is_capitalised
from ingest.metadata import find_age_band, find_reference, find_subject, labelled_reference
from ingest.models import Block, RawDocument
from ingest.pipeline import parse_bytes
from ingest.sections import classify_with_confidence, clean_heading, names_a_person, numbering_depth


def _docx(raw_blocks: list[Block]) -> list[Block]:
    return list(infer_headings(RawDocument("x.docx", "0", "docx", tuple(raw_blocks))).blocks)


BODY = "The health visitor saw the family twice in the spring and recorded no concerns about the baby or the home."


@pytest.mark.parametrize(
    ("text", "shaped"),
    [
        ("What we learned", True),
        ("Who was Ffion?", True),
        ("3.2 Nobody asked about the boyfriend", True),
        ("Key lines of enquiry:", False),
        ("The panel met five times.", False),
        ("REVIEWER 1 | REVIEWER 2", False),
        ("and then the family moved", False),
        ("A " + "very " * 25 + "long line", False),
    ],
)
def test_heading_shape(text: str, shaped: bool) -> None:
    assert heading_shaped(text) is shaped


@pytest.mark.parametrize(("text", "caps"), [("WHAT WE LEARNED", True), ("CPR", False), ("What we learned", False)])
def test_capitalised(text: str, caps: bool) -> None:
    assert is_capitalised(text) is caps


def test_bold_plain_paragraphs_become_headings_but_the_cover_stays() -> None:
    blocks = _docx([
        Block("paragraph", "North Wales Safeguarding Board", bold=True, size=16, centred=True),
        Block("paragraph", "Concise Child Practice Review re: Child M", bold=True, size=14, centred=True),
        Block("paragraph", "What happened", bold=True, size=14),
        Block("paragraph", BODY, size=11),
        Block("paragraph", "The man nobody asked about", bold=True, size=12),
        Block("paragraph", BODY, size=11),
        Block("paragraph", "What needs to change", bold=True, size=14),
        Block("list_item", "1. The Board should ask partner agencies to record every adult in the home.", size=11),
    ])
    kinds = [(b.kind, b.level) for b in blocks]
    assert kinds[:2] == [("paragraph", None), ("paragraph", None)]  # cover
    assert kinds[2] == ("heading", 1) and kinds[4] == ("heading", 2) and kinds[6] == ("heading", 1)
    assert kinds[7][0] == "list_item"


def test_capitals_alone_need_two_words_and_content_after() -> None:
    blocks = _docx([
        Block("paragraph", "Cover line", size=11, centred=True),
        Block("paragraph", "INTRODUCTION TO THE REVIEW", size=11, underline=True),
        Block("paragraph", BODY, size=11),
        Block("paragraph", "REVIEWER 1", size=11),
        Block("paragraph", BODY, size=11),
    ])
    assert blocks[1].kind == "heading"
    assert blocks[3].kind == "paragraph"


def test_board_style_used_only_for_short_lines_is_a_heading_style() -> None:
    blocks = _docx([
        Block("paragraph", "Cover", style="GSB Body", size=11, centred=True),
        Block("paragraph", "Hearing from the family", style="GSB Heading", size=11),
        Block("paragraph", BODY, style="GSB Body", size=11),
        Block("paragraph", "How the review was carried out", style="GSB Heading", size=11),
        Block("paragraph", BODY, style="GSB Body", size=11),
    ])
    assert [b.kind for b in blocks] == ["paragraph", "heading", "paragraph", "heading", "paragraph"]


@pytest.mark.parametrize(
    ("texts", "signatures", "expected"),
    [
        # numbered sections and an unnumbered sub-heading that looks the same
        (["1. Introduction", "2. Findings", "Missed chances", "3. Recommendations"],
         [(0.0, False, False, True, False)] * 4, [1, 1, 2, 1]),
        # unnumbered: larger type ranks higher
        (["What we learned", "The man nobody asked about"],
         [(3.0, False, False, True, False), (1.0, False, False, True, False)], [1, 2]),
        # printed depth
        (["3. Findings", "3.2 Nobody asked"], [(0.0, False, False, True, False)] * 2, [1, 2]),
    ],
)
def test_assign_levels(texts: list[str], signatures: list[tuple[float, bool, bool, bool, bool]],
                       expected: list[int]) -> None:
    assert assign_levels(texts, signatures, 0) == expected


def _word_numbered_docx() -> bytes:
    """Headings and recommendations numbered by Word (numbers only in numbering.xml), a list restarting at 4."""
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = Document()
    root = document.part.numbering_part.element

    def element(tag: str, **attrs: str) -> OxmlElement:
        node = OxmlElement(tag)
        for key, value in attrs.items():
            node.set(qn(f"w:{key}"), value)
        return node

    abstract = element("w:abstractNum", abstractNumId="907")
    for level, text in enumerate(["%1.", "%1.%2"]):
        lvl = element("w:lvl", ilvl=str(level))
        lvl.append(element("w:start", val="1"))
        lvl.append(element("w:numFmt", val="decimal"))
        lvl.append(element("w:lvlText", val=text))
        abstract.append(lvl)
    root.insert(0, abstract)
    for num_id, start in (("950", None), ("951", "4")):
        num = element("w:num", numId=num_id)
        num.append(element("w:abstractNumId", val="907"))
        if start:
            override = element("w:lvlOverride", ilvl="0")
            override.append(element("w:startOverride", val=start))
            num.append(override)
        root.append(num)

    def numbered(text: str, num_id: str, level: int, bold: bool) -> None:
        par = document.add_paragraph()
        par.add_run(text).bold = bold
        numpr = element("w:numPr")
        numpr.append(element("w:ilvl", val=str(level)))
        numpr.append(element("w:numId", val=num_id))
        par._p.get_or_add_pPr().insert(0, numpr)

    document.add_paragraph("Gwent Safeguarding Board").alignment = 1
    numbered("Introduction", "950", 0, True)
    document.add_paragraph(BODY)
    numbered("Findings", "950", 0, True)
    numbered("Nobody asked about the boyfriend", "950", 1, True)
    document.add_paragraph(BODY)
    numbered("Recommendations", "950", 0, True)
    numbered("The Board should ask partner agencies to record every adult living in the home.", "951", 0, False)
    numbered("The health board should audit how missed appointments are followed up.", "951", 0, False)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_word_numbering_prints_multilevel_numbers_and_restarts() -> None:
    review = parse_bytes(_word_numbered_docx(), "numbered.docx")
    headings = [s.heading for s in review.sections if s.kind != "front_matter"]
    assert headings == ["1. Introduction", "2. Findings", "2.1 Nobody asked about the boyfriend", "3. Recommendations"]
    assert [r.number for r in review.recommendations] == ["4", "5"]
    assert review.recommendations[0].text.startswith("The Board should")


@pytest.mark.parametrize(
    ("heading", "kind", "confidence"),
    [
        ("Practice and organisational learning", "practice_learning", 1.0),
        ("What we learned", "practice_learning", 0.7),
        ("How the review was carried out", "methodology", 0.7),
        ("Arrangements for the review", "methodology", 0.7),
        ("Jac's story", "family_involvement", 0.7),
        ("Who was Ffion?", "family_involvement", 0.7),
        ("What went well", "good_practice", 0.7),
        ("What needs to change", "recommendations", 0.7),
        ("Chapter Four: The findings", "analysis", 1.0),
        ("Where we go from here: what needs to happen now", "recommendations", 0.7),
        ("A word from the reviewer", "statements", 0.7),
        ("About this review", "circumstances", 0.7),
        ("About Jac", "family_involvement", 0.7),
        ("What we recommend", "recommendations", 0.7),
        ("The period and questions we looked at", "terms_of_reference", 0.7),
        ("The last weeks", "timeline", 0.7),
        ("What helped", "good_practice", 0.7),
        ("Domestic Homicide Review Overview Report", None, 0.0),
        ("Purpose of the Domestic Homicide Review", "circumstances", 0.8),
        ("How Mr R lived", "family_involvement", 0.7),
        ("What could be better", "practice_learning", 0.7),
        ("What we were asked to look at", "terms_of_reference", 0.7),
        ("What we looked at and how", "methodology", 0.7),
        ("Why we carried out this review", "circumstances", 0.7),
        ("In summary", "conclusions", 0.7),
        ("Closing the door after missed visits", None, 0.0),
        ("6. Background information and chronology", "timeline", 0.7),
        ("Statements from Rhys's family", "family_involvement", 0.7),
        ("Who is Child T?", "family_involvement", 0.7),
        ("About R and S", "family_involvement", 0.7),
        ("Chapter One: The circumstances of the review", "circumstances", 0.7),
        ("5.4 Practice to build on", "good_practice", 0.7),
        ("What the review set out to do", "terms_of_reference", 0.7),
        ("Who took part", "panel", 0.7),
        ("Other proceedings", "parallel", 0.7),
        ("About this report", "circumstances", 0.7),
        ("WHAT THE REVIEW ASKS PARTNERS TO DO", "recommendations", 0.7),
        ("Where practice was strong", "good_practice", 0.7),
        ("A short account of events", "timeline", 0.7),
        ("Chapter 4: What Cai and his mum told us", "family_involvement", 0.7),
        ("4.1 Statement from Child M's mother", "family_involvement", 0.7),
        ("9. What we are asking the Board to do", "recommendations", 0.7),
        ("About Child D", "family_involvement", 0.7),
        ("Mr H's life", "family_involvement", 0.7),
        ("WHO ADULT E WAS", "family_involvement", 0.7),
        ("8. What we are asking for", "recommendations", 0.7),
        ("What we are recommending", "recommendations", 0.7),
        ("7. What this tells us", "practice_learning", 0.7),
        ("WHAT OTHERS CAN LEARN", "practice_learning", 0.7),
        ("Tracking our progress", "action_plan", 0.7),
        ("Delivering the changes", "action_plan", 0.7),
        ("5. What else was happening alongside the review", "parallel", 0.7),
        ("The criminal case", "parallel", 0.7),
        ("6. Equality and difference", "equality", 0.7),
        ("7. What agencies knew and did", "timeline", 0.7),
        ("Adult D's last two years", "timeline", 0.7),
        ("Background and key events", "timeline", 0.7),
        ("Bringing it together", "conclusions", 0.7),
        ("HOW WE CAME TO REVIEW DYLAN'S DEATH", "circumstances", 0.7),
        ("How we carried out the review", "methodology", 0.7),
        ("Criteria met and legal context", "circumstances", 0.7),
        ("Listening to Adult D's brother", "family_involvement", 0.7),
        ("4. Mrs W and the people who loved her", "family_involvement", 0.7),
        ("The review", None, 0.0),
        ("Acknowledgements", None, 0.0),
    ],
)
def test_section_kinds_with_confidence(heading: str, kind: str | None, confidence: float) -> None:
    assert classify_with_confidence(heading) == (kind, confidence)


@pytest.mark.parametrize(
    ("heading", "cleaned", "depth"),
    [("10.Parallel reviews", "parallel reviews", 1), ("3.2 Missed chances", "missed chances", 2),
     ("Appendix 2: Action plan", "action plan", None)],
)
def test_heading_numbers(heading: str, cleaned: str, depth: int | None) -> None:
    assert clean_heading(heading) == cleaned
    assert numbering_depth(heading) == depth


@pytest.mark.parametrize(
    ("line", "reference", "year"),
    [
        ("HIW MHHR 2024/02", "HIW MHHR 2024/02", 2024),
        ("OWHR Swansea 01/2024", "OWHR Swansea 01/2024", 2024),
        ("WGSB S14 2025", "WGSB S14 2025", 2025),
        ("NWSB APR CONWY 3", "NWSB APR CONWY 3", None),
        ("SUSR GSB 02-2025", "SUSR GSB 02-2025", 2025),
        ("DHR VoG 2022/01", "DHR VoG 2022/01", 2022),
        ("Reference: CPR CTMSB 04/2024", "CPR CTMSB 04/2024", 2024),
        ("APR PWS 7", "APR PWS 7", None),
        ("Cyfeirnod / Reference: GwASB APR 07", "GwASB APR 07", None),
        ("C&V SUSR 2025-02", "C&V SUSR 2025-02", 2025),
        ("CWMPAS MHHR/02", "CWMPAS MHHR/02", None),
        ("NWSB-SUSR/CONWY/03/25", "NWSB-SUSR/CONWY/03/25", 2025),
        ("HIW/HR/23/02", "HIW/HR/23/02", 2023),
        ("Our ref: WGSB-MHHR/004/23 (Swansea)", "WGSB-MHHR/004/23 (Swansea)", 2023),
        ("Cyfeirnod / Reference: CWMPAS 2", "CWMPAS 2", None),
        ("Reference: CPR CTMSB 2024/01", "CPR CTMSB 2024/01", 2024),
        ("MHHR-CV/24-03", "MHHR-CV/24-03", 2024),
        ("Reference: OWHR (2024) MWW No. 001", "OWHR (2024) MWW No. 001", 2024),
        ("Review ref. SPCSP/DHR/No.01 (2022)", "SPCSP/DHR/No.01 (2022)", 2022),
        ("HIW Homicide Review No. 3 (2023)", "HIW Homicide Review No. 3 (2023)", 2023),
        ("Review no.: C&V RSB OWHR No. 02 / 2025", "C&V RSB OWHR No. 02 / 2025", 2025),
        ("CTMSB OWHR Pilot Review No. 2 (2024)", "CTMSB OWHR Pilot Review No. 2 (2024)", 2024),
        ("OWHR (Gwent) No. 1 of 2022", "OWHR (Gwent) No. 1 of 2022", 2022),
        ("Review ref: Safer Pembrokeshire DHR: FFION/01/2022", "Safer Pembrokeshire DHR: FFION/01/2022", 2022),
    ],
)
def test_references_in_other_printed_forms(line: str, reference: str, year: int | None) -> None:
    cover = f"Some Board\n{line}\nPublished: May 2025"
    found = labelled_reference(cover) or find_reference(cover, cover=True)
    assert found is not None
    assert (found[0], found[1]) == (reference, year)


def test_body_prose_is_not_read_as_a_reference() -> None:
    assert find_reference("The SUSR 2024 guidance was followed.") is None


@pytest.mark.parametrize(
    ("subject", "text", "band"),
    [
        ("Child M", "Child M, aged 22 months at the time of the incident.", "1-4"),
        ("Child T", "Child T, a 3-year-old, lived with his mother.", "1-4"),
        ("Adult E", "Adult E was in her seventies and lived with her son.", "65+"),
        ("Baby T", "Baby T (13 weeks old) and Ms L", "infant_<1"),
        ("Ffion", "Ffion was forty-one. Her husband was convicted.", "25-64"),
        ("Adult F", "Adult F, 44, lived alone.", "25-64"),
        ("Jac", "Jac was a care leaver who had just left foster care.", "18-24"),
        ("Brian", "Brian was a pensioner who had retired from the railway.", "65+"),
        ("Child J", "Child J, then six, lived with his grandmother.", "5-10"),
        ("Mr H", "By then Mr H had turned 80.", "65+"),
        ("Rhys", "Rhys, a 17-year-old, died. A 16-year-old boy was convicted.", "16-17"),
        ("Child A", "Child A lives with Adult B, 37, in Cardiff.", "unknown"),
        ("Child A", "Child A lives in Cardiff.", "unknown"),
        ("Adult N", "Adult N died in hospital in May 2022. He was aged 66.", "65+"),
        ("Adult N", "The neighbour of Adult N rang the police. She was aged 66.", "unknown"),
        ("Siân", "Siân was in her late forties; Gareth was fifty-two.", "25-64"),
        ("Adult K", "Adult K was a woman of 72 who lived with her son.", "65+"),
        ("Ffion", "Ffion, a mother of two, worked in a shop.", "unknown"),
        ("Baby K", "This concerns an unborn baby, Baby K. Baby K's mother, then 32 weeks pregnant, fell.", "unborn"),
        ("Seren", "Seren, a woman in her mid-twenties, died. Seren was a mum to her four-year-old son.", "25-64"),
        ("Seren", "Seren was a devoted mum to her four-year-old son.", "unknown"),
        ("Mr J", "Mr J, a man in his early thirties, killed Mr K. Mr J was first seen in 2009, aged twenty.", "25-64"),
        ("Cai", "Cai died in Rhyl in 2024. He was in his early twenties. Cai was fifteen when first excluded.",
         "18-24"),
        ("Jordan", "Jordan was a young man who was nineteen when he was stabbed.", "18-24"),
        ("Ffion", "Ffion was killed. She had a daughter of her own, who was eight when Ffion died.", "unknown"),
        ("Baby Y", "The subject of the review was an unborn baby (mother aged 19). The baby is called Baby Y.",
         "unborn"),
        ("Ffion", "Ffion, who was 32 weeks pregnant, was seen.", "unknown"),
        ("Baby T", "The subject of the review was a baby, aged 13 weeks, known as Baby T.", "infant_<1"),
    ],
)
def test_age_band_from_common_phrasings(subject: str, text: str, band: str) -> None:
    assert find_age_band(subject, text, "") == band


@pytest.mark.parametrize(
    ("cover", "subject"),
    [("Overview Report into the death of Ffion", "Ffion"), ("REVIEW INTO THE DEATH OF ‘KAI’", "Kai"),
     ("Report of a review in respect of Mr N", "Mr N"), ("Into the deaths of Siân and Gareth", "Siân"),
     ("Cardiff and Vale Regional Safeguarding Board\nOffensive Weapons Homicide Review\nKai\nPublished 2024", "Kai"),
     ("Cysur\nChild Practice Review\nChild M\n", "Child M"), ("Adult Practice Review re: Carys", "Carys"),
     ("Child Practice Review re: Baby M", "Baby M"), ("Subject: Nansi (a pseudonym chosen by her family)", "Nansi")],
)
def test_subject_from_cover(cover: str, subject: str) -> None:
    assert find_subject(cover, "", None) == subject


def test_lettered_parts_of_a_lead_in_are_3a_3b() -> None:
    source = (
        "# Recommendations\n\n"
        "1. The Board should audit return home interviews.\n"
        "2. The police and youth justice service should:\n"
        "  a) review the use of the National Referral Mechanism; and\n"
        "  b) ensure out-of-court disposals follow an exploitation assessment.\n"
        "3. The health board should record injuries to children.\n"
    )
    review = parse_bytes(source.encode(), "recs.md")
    assert [r.number for r in review.recommendations] == ["1", "2a", "2b", "3"]


def test_plan_that_lists_recommendations_with_lead_and_date_is_a_plan() -> None:
    plan = (("Rec", "Recommendation", "Lead officer/agency", "Target date", "Progress"),
            ("R1", "Add household prompts to templates", "Children's Services", "December 2025", "Drafted"))
    recommendations_only = (("No.", "Recommendation", "Lead"), ("1", "The Board should...", "Board"))
    assert is_action_plan_table(plan)
    assert not is_action_plan_table(recommendations_only)
    assert table_rows(plan)[0].action == "Add household prompts to templates"


def test_row_cut_by_a_page_break_rejoins_its_row() -> None:
    rows = (
        ("No.", "Action", "Lead agency", "Timescale", "Status"),
        ("3", "Set a decision deadline for", "Council", "December 2025", "Not started"),
        ("", "When I'm Ready requests", "Children's Services", "", ""),
        ("", "A second action for the same recommendation", "Police", "March 2026", "Complete"),
    )
    actions = [row.action for row in table_rows(rows)]
    assert actions == [
        "Set a decision deadline for When I'm Ready requests",
        "A second action for the same recommendation",
    ]


def test_recommendations_under_a_free_heading_are_found() -> None:
    source = (
        "# Where we go from here\n\n"
        "R1 The Board should audit return home interviews every quarter.\n\n"
        "R2 South Wales Police should share missing-episode records with schools.\n"
    )
    review = parse_bytes(source.encode(), "free.md")
    assert [r.number for r in review.recommendations] == ["R1", "R2"]


def test_plan_in_everyday_column_words() -> None:
    rows = (("Learning", "What we will do", "Who", "By when", "How we will know"),
            ("1", "Relaunch the protocol", "Board sub-group", "May 2026", "Meetings recorded"))
    assert is_action_plan_table(rows)
    row = table_rows(rows)[0]
    assert (row.action, row.lead_agency, row.timescale, row.outcome) == (
        "Relaunch the protocol", "Board sub-group", "May 2026", "Meetings recorded")


def test_cover_naming_two_review_families_takes_the_reference_type() -> None:
    review = parse_bytes(
        ("Some Board\n\nOffensive Weapons Homicide Review\n\nConducted through the Single Unified Safeguarding "
         "Review\n\nReference: OWHR XYZ 02/2026\n\n# Introduction\n\n" + BODY + "\n").encode(), "owhr.md")
    assert review.metadata.review_type == "OWHR"


def test_an_introduction_to_a_list_of_directives_is_not_a_recommendation() -> None:
    source = (
        "# What needs to change\n\n"
        "The Board and its partners are asked to act on the following:\n\n"
        "- The Board should relaunch its self-neglect protocol.\n"
        "- Conwy adult social care should visit before closing a self-neglect referral.\n"
    )
    review = parse_bytes(source.encode(), "intro.md")
    assert [r.text[:9] for r in review.recommendations] == ["The Board", "Conwy adu"]


def test_a_lead_in_with_plain_parts_stays_one_recommendation() -> None:
    source = (
        "# Recommendations\n\n"
        "The Board should strengthen its escalation protocol so that:\n\n"
        "- concerns are raised within a week;\n"
        "- the outcome is recorded.\n"
    )
    review = parse_bytes(source.encode(), "parts.md")
    assert len(review.recommendations) == 1 and "recorded" in review.recommendations[0].text


def test_a_descriptive_sub_heading_inside_the_findings_is_a_finding() -> None:
    source = (
        "# Introduction\n\nThe review was held in 2024.\n\n"
        "# Findings\n\nThe panel found three themes.\n\n"
        "## Family involvement\n\nThe family's warnings were not recorded by the crisis team.\n\n"
        "## What went well\n\nThe school nurse acted quickly.\n"
    )
    kinds = [s.kind for s in parse_bytes(source.encode(), "sub.md").sections if s.heading]
    assert kinds == ["circumstances", "analysis", "analysis", "good_practice"]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("# What needs to change in practice\n\nAgencies must share the fire risk.\n\n"
         "# What went well\n\nThe crew referred quickly.\n\n"
         "# What we are asking agencies to do\n\n1. The Board should issue guidance.\n",
         ["practice_learning", "good_practice", "recommendations"]),
        ("# Part D - Learning and recommendations\n\nThis part sets out the learning.\n\n"
         "## D1 What the review learned\n\nNobody asked who lived there.\n\n"
         "## D2 Recommendations\n\n1. The Board should audit referrals.\n",
         ["practice_learning", "practice_learning", "recommendations"]),
        ("# What should change\n\nTwo groups follow.\n\n"
         "## For the Board\n\n1. The Board should publish a protocol.\n\n"
         "## For agencies\n\n2. Police should train call handlers.\n",
         ["recommendations", "recommendations", "recommendations"]),
        ("# What needs to change\n\n1. The Board should publish a protocol.\n",
         ["recommendations"]),
        ("# Part C - What must change\n\nThis part sets out what must change.\n\n"
         "# 7. Recommendations\n\n1. The Board should audit referrals.\n\n"
         "# 8. Action plan\n\n| No. | Action | Lead | By when |\n|---|---|---|---|\n| 1 | Audit | Board | 2025 |\n",
         ["recommendations", "recommendations", "action_plan"]),
    ],
)
def test_learning_that_leads_to_later_recommendations_is_learning(source: str, expected: list[str]) -> None:
    source = "# Introduction\n\nThe review was held in 2024.\n\n" + source
    kinds = [s.kind for s in parse_bytes(source.encode(), "lr.md").sections if s.heading]
    assert kinds == ["circumstances", *expected]


def test_a_learning_point_is_learning_even_when_it_names_effective_practice() -> None:
    source = (
        "# Practice and organisational learning\n\nThe panel drew out four points.\n\n"
        "## Learning point 1: Nobody asked about the boyfriend\n\nThe visits never asked who lived there.\n\n"
        "## Learning point 2: Effective practice by the school\n\nThe school nurse acted quickly.\n\n"
        "# Good practice\n\nSome work stood out.\n\n"
        "## Learning point 3: The health visitor\n\nShe visited weekly.\n"
    )
    kinds = [s.kind for s in parse_bytes(source.encode(), "lp.md").sections if s.heading]
    assert kinds == ["practice_learning", "practice_learning", "practice_learning", "good_practice", "good_practice"]


@pytest.mark.parametrize(
    ("heading", "portrait"),
    [("Chapter 4 – Tomos", True), ("Part 2: Carys and Gwyn", True), ("CHAPTER 4 - TOMOS", True), ("2. Child D", True),
     ("Preface", False), ("Contents", False), ("Chapter 5 – Hafan", False), ("Dissemination", False)],
)
def test_a_heading_that_only_names_the_people_is_a_pen_portrait(heading: str, portrait: bool) -> None:
    body = ("Tomos was 17. The youth worker met Tomos weekly and saw Carys, and later Gwyn. Carys stayed "
            "after Gwyn left; school told Tomos and Carys. Staff saw Child D daily and visited Child D at home. "
            "Preface text. We stayed at Hafan.")
    assert names_a_person(heading, body) is portrait


def test_a_glossary_over_a_table_and_a_part_heading_after_the_cover_open_sections() -> None:
    blocks = _docx([
        Block("paragraph", "Gwent Safeguarding Board", bold=True, size=16, centred=True),
        Block("paragraph", "Mental Health Homicide Review", bold=True, size=14, centred=True),
        Block("paragraph", "Glossary", bold=True, size=12),
        Block("table", "Term | Meaning", rows=(("Term", "Meaning"), ("CMHT", "Community mental health team"))),
        Block("paragraph", "PART A: THE REVIEW", bold=True, size=14),
        Block("paragraph", "1. Introduction", bold=True, size=12),
        Block("paragraph", BODY, size=11),
    ])
    assert [b.kind for b in blocks][:2] == ["paragraph", "paragraph"]  # the cover stays
    assert blocks[2].kind == "heading" and blocks[4].kind == "heading" and blocks[5].kind == "heading"


def test_a_chapter_number_is_a_top_level_number_and_an_appendix_sits_beside_chapters() -> None:
    bold = (0.0, False, False, True, False)
    texts = ["Chapter 6: Findings", "6.1 Bruising in a baby", "Chapter 7: Recommendations", "Annex A: Roles"]
    assert assign_levels(texts, [(2.0, False, False, True, False), bold, (2.0, False, False, True, False), bold],
                         1) == [2, 3, 2, 2]


def test_plan_columns_in_plain_questions() -> None:
    assert is_action_plan_table([("No.", "What needs to happen", "Who will do it", "By when",
                                  "How we will know it has worked")])
    assert is_action_plan_table([("Ref", "Finding addressed", "Improvement required", "Accountable owner",
                                  "Completion date", "Assurance evidence")])
    assert is_action_plan_table([("Ref", "Learning to be embedded", "Partner(s)", "Milestones", "RAG at sign-off")])


def test_terms_of_reference_on_a_cover_is_not_a_reference() -> None:
    assert labelled_reference("Terms of Reference: see Appendix 2\n") is None
    assert labelled_reference("Review: published 2024 by NWSB\n") is None


@pytest.mark.parametrize(
    "header",
    [("Ref", "Learning to be embedded", "Owner", "Milestone", "Evidence of impact", "RAG"),
     ("Ref", "Agreed response", "Accountable lead", "Target quarter", "Evidence of completion", "RAG")],
)
def test_a_table_tracking_who_when_and_progress_is_a_plan_whatever_its_action_column_says(
        header: tuple[str, ...]) -> None:
    rows = [header, ("R1", "Pre-exclusion meeting procedure", "Education", "Q4 2025", "Procedure adopted", "Amber")]
    assert is_action_plan_table(rows)
    (row,) = table_rows(rows)
    assert row.action == "Pre-exclusion meeting procedure" and row.lead_agency == "Education"


def test_a_table_of_recommendations_with_only_an_agency_is_not_a_plan() -> None:
    assert not is_action_plan_table([("No.", "Recommendation", "Agency")])


def test_a_lead_in_before_its_numbered_parts_is_not_counted() -> None:
    source = (
        "# Recommendations\n\n"
        "Recommendation 1: The Board should audit referrals.\n\n"
        "Recommendation 2: Dyfed-Powys Police and the health board should jointly:\n\n"
        "2a) audit the use of firearms markers;\n\n"
        "2b) agree a route for clinicians to raise concerns.\n"
    )
    review = parse_bytes(source.encode(), "parts.md")
    assert [r.number for r in review.recommendations] == ["1", "2a", "2b"]


def test_a_learning_point_inside_the_analysis_is_learning() -> None:
    source = (
        "# Introduction\n\nThe review was held in 2024.\n\n"
        "# Analysis and learning\n\nSix points.\n\n"
        "## Learning point 1: Capacity was assumed\n\nNobody assessed capacity.\n\n"
        "## Learning point 6: Effective practice\n\nThe school nurse acted quickly.\n"
    )
    kinds = [s.kind for s in parse_bytes(source.encode(), "lp.md").sections if s.heading]
    assert kinds[-2:] == ["practice_learning", "practice_learning"]


def test_an_introduction_naming_the_following_recommendations_is_not_one() -> None:
    source = (
        "# Recommendations\n\n"
        "The review partners are asked to accept the following recommendations, which the Board will monitor.\n\n"
        "1. The council should include knife carrying in pathway plans.\n"
        "2. The Board should develop a pathway for young adults.\n"
    )
    assert [r.number for r in parse_bytes(source.encode(), "intro2.md").recommendations] == ["1", "2"]


def test_unnumbered_recommendations_are_numbered_on_across_groups() -> None:
    source = (
        "# Introduction\n\nThe review was held in 2024.\n\n"
        "# Recommendations\n\n## Regional\n\n- The Board should audit referrals.\n\n"
        "## Single agency\n\n- The police should record weapons.\n- The council should visit.\n"
    )
    assert [r.number for r in parse_bytes(source.encode(), "groups.md").recommendations] == ["1", "2", "3"]


def test_bullets_after_we_recommend_that_are_recommendations_without_a_modal_verb() -> None:
    source = (
        "# WHAT MUST CHANGE\n\nWe recommend that:\n\n"
        "- Hywel Dda University Health Board appoints a named lead for transition cases.\n"
        "- The council agrees a standard for visiting carers within ten days.\n"
    )
    review = parse_bytes(source.encode(), "that.md")
    assert [(r.number, r.text[:10]) for r in review.recommendations] == [("1", "Hywel Dda "), ("2", "The counci")]


def test_an_introduction_pointing_to_the_recommendations_below_is_not_one() -> None:
    source = (
        "# Recommendations\n\n"
        "The Board and its partners are asked to take forward the recommendations set out below.\n\n"
        "| No. | Recommendation |\n|---|---|\n"
        "| 1 | The Board should publish guidance on exploitation. |\n"
        "| 2 | The council should review how it matches police notifications. |\n"
    )
    assert [r.number for r in parse_bytes(source.encode(), "below.md").recommendations] == ["1", "2"]


def test_a_table_whose_recommendation_column_holds_the_numbers_takes_the_words_beside_it() -> None:
    source = (
        "# Recommendations\n\n"
        "| Recommendation | Detail |\n|---|---|\n"
        "| R1 | The police should check every adult present at a domestic incident. |\n"
        "| R2 | Schools should review injury logs each half-term. |\n"
    )
    recs = parse_bytes(source.encode(), "detail.md").recommendations
    assert [(r.number, r.text[:10]) for r in recs] == [("R1", "The police"), ("R2", "Schools sh")]


def test_year_from_the_publication_line_before_an_approval_date() -> None:
    cover = "Some Partnership\n\nDomestic Homicide Review\n\nSigned off by the partnership: December 2023\n\n" \
            "Published: March 2024\n\n# Introduction\n\n" + BODY + "\n"
    assert parse_bytes(cover.encode(), "year.md").metadata.year == 2024


def test_reference_in_a_document_control_table_after_the_preface() -> None:
    source = (
        "Some Partnership\n\nDomestic Homicide Review\n\nPublished: May 2022\n\n# Preface\n\n" + BODY + "\n\n"
        "| Document control | |\n|---|---|\n| Reference | DHR NEWPORT 11 |\n| Version | 3 |\n\n"
        "# Introduction\n\n" + BODY + "\n"
    )
    metadata = parse_bytes(source.encode(), "control.md").metadata
    assert (metadata.reference, metadata.year) == ("DHR NEWPORT 11", 2022)


def test_a_cover_of_lines_in_plain_text_keeps_its_lines_apart() -> None:
    source = (
        "West Glamorgan Safeguarding Board\nOffensive Weapons Homicide Review\nIfan and Osian\n"
        "Final report, June 2025\n\n# Introduction\n\n"
        "Ifan was 24 and Osian was 22 when they died.\nBoth had grown up in Neath\nand were close friends.\n"
    )
    review = parse_bytes(source.encode(), "lines.md")
    assert review.metadata.subject == "Ifan"
    assert "Both had grown up in Neath and were close friends." in review.text


@pytest.mark.parametrize(
    ("heading", "kind"),
    [("PART C - CONCLUSIONS AND RECOMMENDATIONS", "conclusions"), ("Part 2: Findings and learning", "analysis"),
     ("Part Four: Learning and recommendations", "practice_learning"),
     ("PART A – BACKGROUND AND HOW THE REVIEW WAS CARRIED OUT", "circumstances"),
     ("Part D: Recommendations", "recommendations")],
)
def test_a_part_heading_naming_two_kinds_is_the_first_one(heading: str, kind: str) -> None:
    assert classify_with_confidence(heading)[0] == kind


@pytest.mark.parametrize(
    ("heading", "kind"),
    [("What the panel is asked to do", "recommendations"), ("What managers can take from this", "practice_learning"),
     ("Tracking the change", "action_plan"), ("Ffion's story in brief", "timeline"),
     ("5. The family's statement", "family_involvement")],
)
def test_free_headings_seen_in_test11_tuning(heading: str, kind: str) -> None:
    assert classify_with_confidence(heading)[0] == kind


def test_a_long_labelled_reference_in_words_and_a_bracketed_aside_after_one() -> None:
    assert labelled_reference("Review reference: NWSB Adult Practice Review Number Three – 2023")[0] == (
        "NWSB Adult Practice Review Number Three – 2023")
    assert labelled_reference("Ref: DHR/CV/24/01 (Vale of Glamorgan area)")[0] == "DHR/CV/24/01"
    assert labelled_reference("Our ref: APR-07-2024 (Bridgend)")[0] == "APR-07-2024 (Bridgend)"


def test_subjects_of_the_review_label_names_the_first() -> None:
    assert find_subject("Subjects of the review: Rhodri and Aled (pseudonyms)", "", None) == "Rhodri"


def test_a_susr_carried_out_at_a_level_says_its_own_level() -> None:
    source = ("Some Board\n\nSingle Unified Safeguarding Review\n\n# 1. Introduction\n\n"
              "The review met the criteria for an extended Child Practice Review and was carried out at the "
              "concise level agreed by the Board.\n")
    assert parse_bytes(source.encode(), "level.md").metadata.level == "concise"


def test_a_cover_line_in_lower_case_keeps_the_cover_lines_apart() -> None:
    source = ("North Wales Safeguarding Board\nin partnership with the health board\nAdult Practice Review\n"
              "Review reference: NWSB APR 4/2023\nFinal report: May 2023\n\n# Introduction\n\n" + BODY + "\n")
    assert parse_bytes(source.encode(), "cover.md").metadata.reference == "NWSB APR 4/2023"


def test_a_capitalised_pdf_line_over_a_sub_heading_is_the_chapter_heading() -> None:
    raw = RawDocument("x.pdf", "0", "pdf", (
        Block("heading", "5. BACKGROUND", level=2, bold=True, size=12),
        Block("paragraph", BODY, size=11),
        Block("paragraph", "6. FINDINGS AND LEARNING", size=11),
        Block("heading", "6.1 Nobody asked about the lodger", level=3, bold=True, size=11),
        Block("paragraph", BODY, size=11),
    ))
    blocks = list(infer_headings(raw).blocks)
    assert [b.kind for b in blocks] == ["heading", "paragraph", "heading", "heading", "paragraph"]
    assert blocks[2].level is not None and blocks[3].level is not None and blocks[2].level < blocks[3].level
