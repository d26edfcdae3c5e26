"""The keyword baseline and the rule tagger: cue matching, lemmas, negation and evidence offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from taxonomy.keyword import KeywordTagger
from taxonomy.models import TagInput
from taxonomy.rule import RuleTagger, first_token_alternatives, required_words

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def rule() -> RuleTagger:
    return RuleTagger()


@pytest.fixture(scope="module")
def keyword() -> KeywordTagger:
    return KeywordTagger()


def _ids(tagger: RuleTagger | KeywordTagger, text: str) -> list[str]:
    return [s.standard for s in tagger.tag([TagInput("p", text)])[0]]


@pytest.mark.parametrize(
    ("text", "standard"),
    [
        ("She went missing from her placement eleven times.", "S18"),
        ("He goes missing most weekends and a return home interview was never offered.", "S18"),
        ("The young person had absconded twice and was reported as missing by staff.", "S18"),
        ("The social worker was carrying a very high caseload at the time.", "S24"),
        ("The child was not seen alone on any of the visits.", "S16"),
        ("No trusted adult was identified for the girl.", "S12"),
        ("The referral did not meet the threshold for a strategy discussion.", "S10"),
        ("The family were struggling with rent arrears and food bank referrals.", "S07"),
        ("The active offer of advocacy was not made.", "S14"),
        ("The case was not discussed in supervision for four months.", "S20"),
        ("She waited nine months for an appointment.", "S13"),
        ("The practitioners took a trauma informed approach.", "S06"),
    ],
)
def test_rule_finds_cues(rule: RuleTagger, text: str, standard: str) -> None:
    assert standard in _ids(rule, text)


@pytest.mark.parametrize(
    ("text", "standard"),
    [
        ("There were no concerns about the child going missing during the period under review.", "S18"),
        ("There was no evidence of child sexual exploitation or of any missing episodes.", "S18"),
        ("Nothing to suggest that poverty or debt played a part was found.", "S07"),
        ("Poverty was not a factor in this case, and debt did not feature.", "S07"),
        ("She had never gone missing from home.", "S18"),
        ("No history of going missing was known to any agency.", "S18"),
    ],
)
def test_rule_respects_negation(rule: RuleTagger, text: str, standard: str) -> None:
    assert standard not in _ids(rule, text)


def test_negated_cues_are_flagged(rule: RuleTagger) -> None:
    batch = rule.score([TagInput("p", "There were no concerns about the child going missing.")])
    assert batch.negated is not None and batch.negated[0, 17]


def test_but_ends_the_negation_scope(rule: RuleTagger) -> None:
    text = "There was no evidence of neglect, but she went missing from her placement twice."
    assert "S18" in _ids(rule, text)


def test_keyword_baseline_ignores_negation(keyword: KeywordTagger) -> None:
    text = "There were no concerns about the child going missing; she never went missing."
    assert "S18" in _ids(keyword, text)


@pytest.mark.parametrize(
    ("text", "standard"),
    [
        ("The child went missing twice.", "S18"),
        ("Staff caseloads were high.", "S24"),
        ("A trauma-informed practice approach was used.", "S06"),
        ("The IPA service was contacted.", "S14"),
    ],
)
def test_keyword_substrings(keyword: KeywordTagger, text: str, standard: str) -> None:
    assert standard in _ids(keyword, text)


def test_keyword_acronyms_need_word_boundaries(keyword: KeywordTagger) -> None:
    assert "S14" not in _ids(keyword, "Participation in the meeting was good.")


TEXT = (
    "Café staff knew the family well. “She’s been gone all night,” the carer said, and the ﬁrst "
    "missing episode was not reported for two days. No return home interview took place."
)


@pytest.mark.parametrize("tagger_name", ["rule", "keyword"])
def test_evidence_offsets_point_into_the_passage(rule: RuleTagger, keyword: KeywordTagger,
                                                 tagger_name: str) -> None:
    tagger = rule if tagger_name == "rule" else keyword
    suggestions = tagger.tag([TagInput("p", TEXT)])[0]
    assert suggestions, "expected at least one suggestion"
    for s in suggestions:
        assert TEXT[s.evidence_start:s.evidence_end] == s.evidence
        assert 0.0 <= s.score <= 1.0
        assert s.tagger == tagger.name
    assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)


def test_rule_evidence_is_the_strongest_sentence(rule: RuleTagger) -> None:
    s18 = next(s for s in rule.tag([TagInput("p", TEXT)])[0] if s.standard == "S18")
    assert "missing episode" in s18.evidence or "return home interview" in s18.evidence
    assert "Café" not in s18.evidence


def test_empty_batch_and_empty_text(rule: RuleTagger, keyword: KeywordTagger) -> None:
    assert rule.tag([]) == []
    assert keyword.tag([TagInput("e", "")]) == [[]]
    assert rule.tag([TagInput("e", "")]) == [[]]


def test_section_kind_sets_polarity(rule: RuleTagger) -> None:
    item = TagInput("r", "Return home interviews should be offered after each missing episode.",
                    section_kind="recommendations")
    s18 = next(s for s in rule.tag([item])[0] if s.standard == "S18")
    assert s18.polarity == "recommendation"


def test_cue_weights_learned_from_training_down_weight_unreliable_cues() -> None:
    tagger = RuleTagger()
    text = "The records were kept in the office."
    before = tagger.score([TagInput("p", text)]).scores[0, 22]
    texts = [f"The records for case {i} were reviewed by the team." for i in range(6)]
    factors = tagger.fit_cue_weights(texts, [{"S25"}] * 6)
    assert factors and all(0.25 <= f < 1.0 for f in factors.values())
    assert any(key.startswith("S23|") for key in factors)
    after = tagger.score([TagInput("p", text)]).scores[0, 22]
    assert 0.0 < after < before


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ([{"LOWER": {"IN": ["not", "never"]}}, {"LOWER": "seen"}],
         [[{"LOWER": "not"}, {"LOWER": "seen"}], [{"LOWER": "never"}, {"LOWER": "seen"}]]),
        ([{"LEMMA": "meet"}, {"LOWER": {"IN": ["the", "a"]}}], [[{"LEMMA": "meet"}, {"LOWER": {"IN": ["the", "a"]}}]]),
        ([{"LOWER": {"IN": ["a", "an"]}, "OP": "?"}, {"LOWER": "x"}], [[{"LOWER": {"IN": ["a", "an"]}, "OP": "?"},
                                                                      {"LOWER": "x"}]]),
        ([{"LIKE_NUM": True}], [[{"LIKE_NUM": True}]]),
    ],
)
def test_first_token_alternatives_split_only_a_plain_first_token_set(pattern: list, expected: list) -> None:
    assert first_token_alternatives(pattern) == expected


def test_rule_matches_are_the_same_with_split_first_tokens() -> None:
    from spacy.matcher import Matcher

    from taxonomy.nlp import get_pipeline

    pipeline = get_pipeline()
    doc = pipeline.pipe(["The children were never spoken to and were not seen by the school."])[0]
    pattern = [{"LEMMA": {"IN": ["child", "boy"]}}, {"OP": "{0,2}"}, {"LEMMA": "be"},
               {"LOWER": {"IN": ["not", "never"]}}, {"LEMMA": {"IN": ["speak", "see"]}}]
    whole, split = Matcher(pipeline.nlp.vocab), Matcher(pipeline.nlp.vocab)
    whole.add("p", [pattern])
    split.add("p", first_token_alternatives(pattern))
    assert sorted(whole(doc)) == sorted(split(doc)) and len(whole(doc)) >= 1


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ([{"LEMMA": "meet"}, {"LOWER": {"IN": ["the", "a"]}, "OP": "?"}, {"LOWER": {"IN": ["criteria", "threshold"]}}],
         [("LEMMA", {"meet"}), ("LOWER", {"criteria", "threshold"})]),
        ([{"LEMMA": "wait"}, {"OP": "{0,2}"}, {"LIKE_NUM": True}], [("LEMMA", {"wait"})]),
        ([{"LOWER": "no", "OP": "+"}, {"LOWER": "x", "OP": "*"}, {"LOWER": "y", "OP": "!"}], [("LOWER", {"no"})]),
        ([{"LOWER": "a", "OP": "{1,3}"}, {"LOWER": "b", "OP": "{,3}"}, {"LOWER": "c", "OP": "{0,1}"}],
         [("LOWER", {"a"})]),
        ([{"LOWER": {"NOT_IN": ["a"]}}, {"LEMMA": "be", "LOWER": "was"}], [("LOWER", {"was"}), ("LEMMA", {"be"})]),
    ],
)
def test_required_words_are_the_tokens_a_pattern_must_match(pattern: list, expected: list) -> None:
    assert required_words(pattern) == [(attr, frozenset(words)) for attr, words in expected]


def test_gated_pattern_matchers_find_what_one_matcher_over_every_pattern_finds(rule: RuleTagger) -> None:
    from spacy.matcher import Matcher

    from taxonomy.rule_patterns import NEGATION_PATTERNS, STANDARD_PATTERNS
    from taxonomy.training import load_sample_sources

    examples, _ = load_sample_sources(REPO / "data" / "sample-sources")
    texts = [e.text for e in examples]
    texts += [
        "The children were never spoken to and were not seen by the school.",
        "She waited 14 weeks for an assessment; there was no evidence of neglect.",
    ]
    whole = Matcher(rule.pipeline.nlp.vocab)
    for standard, patterns in STANDARD_PATTERNS.items():
        for name, pattern, _weight in patterns:
            whole.add(f"{standard}|pattern:{name}", first_token_alternatives(pattern))
    for name, pattern in NEGATION_PATTERNS:
        whole.add(f"negation:{name}", first_token_alternatives(pattern))
    found = 0
    for doc in rule.pipeline.pipe(texts):
        expected = sorted(whole(doc))
        assert sorted(rule._pattern_matches(doc)) == expected, doc.text[:80]
        found += len(expected)
    assert len(texts) > 400 and found > 200
