"""The disclosure detector and the immediate reply.

The examples here are written for these tests, in the ways children and worried adults
actually write (no punctuation, text-speak, indirect words), and kept apart from the
dev set in ../shared/eval, which is only used to measure.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from careguide.api.safety import (
    SafetyCheck,
    detect_disclosure,
    load_lexicon,
    load_signposts,
    safety_reply,
)
from careguide.ingest.errors import ConfigError

DISCLOSURES = [
    # sexual abuse, indirect
    ("my stepdad keeps coming into my room at nite and i hate it", "sexual_abuse"),
    ("he touches me when mum is at work and says its our secret", "sexual_abuse"),
    ("my uncle makes me do things i dont want to and says no1 will beleive me", None),
    ("some1 at school keeps touching me and the teacher wont listen", "sexual_abuse"),
    ("this lad made me send pics and now wants more or hell show everyone", "sexual_abuse"),
    ("a boy in year 11 has naked pics of me and says he'll post them unless i meet him", None),
    # self-harm and suicide
    ("i dont want to be alive anymore", "self_harm"),
    ("kms honestly", "self_harm"),
    ("been self harming again and its getting worse", "self_harm"),
    ("i took a load of paracetamol about an hour ago", "self_harm"),
    ("i keep wanting to hurt myself", "self_harm"),
    ("i think im gonna end it tonight", "self_harm"),
    ("nobody would even notice if i was gone", "self_harm"),
    ("i cut myself last night and its deep", "self_harm"),
    ("want 2 die", "self_harm"),
    ("im so done with everything i just wanna unalive myself", "self_harm"),
    ("my daughter told me she has been cutting her arms and wants to die", None),
    # physical abuse
    ("my dad punches me when hes drunk", "physical_abuse"),
    ("ma da batters me", "physical_abuse"),
    ("dad throws things at me when im in trouble", "physical_abuse"),
    ("mums boyfriend pushed me down the stairs yesterday", "physical_abuse"),
    ("please help my step dad is hurting me", None),
    ("my foster carer hit me with a hairbrush and i have a bruise on my face", None),
    ("got a beating again for coming home late, my back is all bruised", None),
    # domestic violence
    ("my dad hit mum last night and there was blood on the kitchen floor", "domestic_violence"),
    ("he chokes me when we argue and im scared hes going to kill me", None),
    ("mum and her bf are fighting again downstairs and im hiding in my room", None),
    # neglect
    ("theres no food in the house and mum hasnt been back since friday", "neglect"),
    ("mum keeps passing out drunk and we havent eaten since yesterday", "neglect"),
    ("mum locked me out again and its freezing", "neglect"),
    ("they left me and my little brother on our own all weekend", "neglect"),
    ("my mum kicked me out and ive got nowhere to sleep", "neglect"),
    # exploitation
    ("an older guy i met on snap wants me to meet him at the station tonight", "exploitation"),
    ("they make me carry stuff for them and say i owe them", "exploitation"),
    ("these lads said if i dont drop packages for them theyll hurt my mum", None),
    ("im 13 and my boyfriend is 19 he says i cant tell anyone about us", "exploitation"),
    ("my sister is 14 and keeps going to parties with older men who give her drugs", None),
    # unsafe, running away
    ("im scared to go home tonight", "unsafe"),
    ("i dont feel safe at home", "unsafe"),
    ("gonna run away 2nite i cant take it anymore", None),
    ("i ran away from my placement and im staying at some guys flat", None),
    # emotional abuse
    ("my foster carer calls me worthless and wont let me eat with the family", None),
    ("mum says she wishes i was never born every time she shouts at me", "emotional_abuse"),
    # adults speaking for a child now
    ("worried about my granddaughter, her mums new partner leaves bruises on her arms", None),
    ("a pupil just told me her uncle is abusing her and she has to go back there tonight", None),
    ("my neighbours kids are left on their own all weekend and the baby screams for hours", None),
    ("I think my niece is being groomed, a man keeps buying her phones and vapes", None),
    # more, in other words
    ("my step mum makes me sleep in the shed when im bad", None),
    ("he says if i tell anyone he'll hurt my little sister", None),
    ("mums new fella gets in the bath with me and i dont like it", "sexual_abuse"),
    ("i havent eaten properly in 3 days theres nothing in the cupboards", "neglect"),
    ("i feel like im a burden and everyone would be happier if i just disappeared", "self_harm"),
    ("i owe this guy money and he says i have to work it off", "exploitation"),
    ("dad gets drunk and smashes the house up, im hiding under my bed rn", None),
    ("this guy online keeps asking for pics and says hell tell my mum if i dont send", None),
    ("i swallowed a bunch of pills what do i do", "self_harm"),
    ("there's a man who waits outside school for me and says he's my boyfriend, he's 30", None),
    ("my mum's partner strangled her last night and said i'm next", "domestic_violence"),
    ("My 15 year old hasn't come home for 3 nights and I think she's with older men", None),
    ("my friend's dad touches her and she made me promise not to tell", "sexual_abuse"),
    ("cant go back to my dads hes gonna kill me", None),
    ("he puts his hands around my throat when hes angry", "physical_abuse"),
    ("i get hit with a belt if i get bad marks", "physical_abuse"),
    ("my foster dad keeps texting me at night and telling me not to tell my social worker", None),
    ("i was raped on saturday by a guy from school", "sexual_abuse"),
    ("my dad said he would burn me if i told", None),
    ("mum's boyfriend watches me in the shower", "sexual_abuse"),
    ("someone keeps messaging saying they know where i live and they'll come get me", None),
    ("my little sister told me our uncle showed her videos of naked people", "sexual_abuse"),
    (
        "I'm a kinship carer and my grandson came back from contact with a burn on his arm "
        "and says dad did it",
        "physical_abuse",
    ),
    ("dad says hes going to take me away and i'll never see mum again, he's got a knife", None),
    ("every night they shout and throw stuff and i just sit on the stairs crying", None),
    ("got chucked out, sleeping in the park tonight", "neglect"),
    ("my teacher keeps asking me to stay behind and touches my leg", "sexual_abuse"),
    ("he said if i tell anyone he will kill me", None),
    ("she told me never to tell or she'd hurt my little brother", None),
    ("my dad said he'd put me through a wall if i came home late again", "physical_abuse"),
    ("my older cousin makes me keep secrets about what we do when babysitting", None),
    ("the man at the shop gives us free stuff and now wants us to hold packages", None),
    ("i'm a teacher and a pupil just showed me cigarette burns on her arm", None),
    ("i live with my nan and she's too drunk to look after my little sister", "neglect"),
    ("i look after my baby brother all the time and we dont have heating or food", None),
    ("my stepdad slides his hand under my pyjamas when mum is asleep", "sexual_abuse"),
]

ORDINARY = [
    # questions about meaning, policy and process
    "what does significant harm mean in the Children Act",
    "What is the threshold for a section 47 enquiry?",
    "how do councils assess neglect in a kinship placement",
    "what counts as emotional abuse in the guidance",
    "does physical punishment count as abuse under the law",
    "is smacking illegal in england",
    "what is county lines exploitation",
    "whats a strategy discussion",
    "difference between child in need and child protection",
    "what does working together 2023 say about exploitation outside the home",
    "what does risk of sexual exploitation look like in a return home interview",
    # professionals and hypotheticals
    "how should a social worker respond if a child says they want to die?",
    "What are the signs that a child is being groomed online?",
    "as a DSL what do I do when a pupil discloses abuse",
    "case study: a 12 year old tells her teacher her stepdad hits her. what should happen?",
    "what should a school do if a child is missing from education",
    "explain the role of the LADO when an allegation is made against a foster carer",
    "when must the police be told about a child who has run away from care",
    "if a young person tells me they are self harming, who do I have to inform?",
    "Our training session is on suicide prevention, which guidance covers it?",
    "how do I record a disclosure of sexual abuse properly",
    # the past, or already safe
    "my foster daughter was sexually abused when she was younger, what therapy can she get?",
    "I was hit as a child and now im a care leaver, can I see my records?",
    "my grandchildren have experienced domestic abuse, what support is there for kinship carers",
    "my nephew came to us because of neglect but hes settled now, can we get a special "
    "guardianship allowance",
    "my old foster carer used to lock me in my room but im happy in my new placement now",
    # everyday life that uses the same words
    "Can I get paid for looking after my grandson?",
    "my social worker keeps cancelling visits, who do I complain to",
    "im 17 and in care, what happens when i turn 18",
    "can a child in care stay with friends overnight",
    "my daughter wants to leave home at 16, can she?",
    "who pays for contact visits",
    "im starving lol when is dinner at the unit",
    "we beat them 3-0 at football today",
    "my brother hit me up on snap about the party",
    "how do i become a foster carer",
    "what rights do i have as a special guardian",
    "i'm scared about my review meeting tomorrow, what will they ask?",
    # more: jokes, the past, general questions
    "i want to die of embarrassment my social worker saw my room lol",
    "kill me now this essay on the children act is so long",
    "what should i do if a child tells me they will be hurt if they tell anyone",
    "the boys asked me to hold their bags while they played football",
    "my nan put her hand in my coat pocket to find the keys",
    "what should i do if i suspect a teenager is being exploited by a gang",
    "my nephew came to us after his dad hurt him, how do i explain why he cant go home",
    "can i get help with heating bills as a kinship carer",
    "what happens if a parent is too drunk at contact",
    "my son's teacher showed me his work and it was great",
    "i'd kill for a holiday honestly, fostering is exhausting, what respite is available",
    "my foster child used to run away but has stopped, do we still need a missing plan",
    "my son was groomed two years ago and is now in therapy, can the council pay for it",
    "how can i support my granddaughter who witnessed domestic abuse before she came to us",
    "what should I do as a teacher if I suspect a pupil is being neglected",
    "can a 16 year old refuse to go home from foster care",
    "our foster child self harmed last year but has been doing really well, must we tell school",
    "my foster son keeps hitting other kids at school, what support can we get",
    "is it neglect if my kids' room is messy lol",
    "what age can a child be left home alone in england",
    "the kids were removed from their mum because of her drinking, can i apply for an SGO",
    "im writing a training session on grooming, what warning signs should i include",
]


@pytest.mark.parametrize(("text", "category"), DISCLOSURES)
def test_disclosures_are_detected(text: str, category: str | None) -> None:
    check = detect_disclosure(text)
    assert check.disclosure, check.reasons
    if category:
        assert check.category == category, check.reasons


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_questions_are_answered_normally(text: str) -> None:
    check = detect_disclosure(text)
    assert not check.disclosure, check.reasons
    assert check.category is None


def test_enough_examples_of_each_kind() -> None:
    assert len(DISCLOSURES) >= 60
    assert len(ORDINARY) >= 45


def test_a_message_without_harm_words_carries_no_reasons() -> None:
    assert detect_disclosure("how long does a care proceedings case take") == SafetyCheck(
        disclosure=False
    )


def test_reasons_name_the_cues_that_decided() -> None:
    check = detect_disclosure("cant stop cutting tonight")
    assert check.disclosure
    assert check.category == "self_harm"
    assert any("self_harm (strong)" in reason for reason in check.reasons)
    assert check.score >= load_lexicon().threshold


def test_policy_framing_lowers_the_score() -> None:
    personal = detect_disclosure("my dad is hitting my little brother")
    framed = detect_disclosure("what is the threshold when a parent is hitting a child")
    assert personal.score > framed.score


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("i'm goin 2 kms 2nite", "kill myself tonight"),
        ("he sed nobdy wud beleive me", "believe me"),
        ("pleeease help", "please help"),
        ("Ma mum's bf", "my mums boyfriend"),
        ("self-harm", "self harm"),
    ],
)
def test_text_speak_and_slips_are_normalised(typed: str, meant: str) -> None:
    assert meant in load_lexicon().normalise(typed)


def test_lexicon_is_loaded_once() -> None:
    assert load_lexicon() is load_lexicon()


def test_a_broken_lexicon_says_what_to_fix(tmp_path: Path) -> None:
    path = tmp_path / "patterns.yaml"
    path.write_text(
        "threshold: 3\nweights: {strong: 4}\nmacros: {}\n"
        "categories:\n  x:\n    strong: ['<nothing>']\nmodifiers: {}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="unknown macro <nothing>"):
        load_lexicon(path)


# --- the reply -----------------------------------------------------------------------


def test_a_child_gets_childline_first_and_999() -> None:
    reply = safety_reply(detect_disclosure("dad hits me every day"), audience="child")
    names = [s.name for s in reply.signposts]
    assert names[0] == "Childline"
    assert "Emergency services" in names
    assert "0800 1111" in reply.text
    assert "999" in reply.text
    assert "NSPCC" not in reply.text


def test_an_adult_gets_the_nspcc_first_and_999() -> None:
    check = detect_disclosure("my grandson says his stepdad hits him every night")
    reply = safety_reply(check, audience="carer")
    names = [s.name for s in reply.signposts]
    assert names[0] == "NSPCC Helpline"
    assert "Emergency services" in names
    assert "0808 800 5000" in reply.text
    assert "999" in reply.text


def test_self_harm_adds_samaritans() -> None:
    check = detect_disclosure("i want to kill myself")
    for audience in ("child", "practitioner"):
        reply = safety_reply(check, audience=audience)
        assert any(s.contact.startswith("116 123") for s in reply.signposts)


def test_an_unknown_audience_is_answered_as_a_child() -> None:
    reply = safety_reply(detect_disclosure("im not safe at home"), audience="someone")
    assert reply.signposts[0].name == "Childline"


def test_the_reply_is_short_and_has_no_policy() -> None:
    for audience in ("child", "adult"):
        reply = safety_reply(detect_disclosure("he hurts me"), audience=audience)
        assert len(reply.text.split()) < 150
        for word in ("section", "statutory", "guidance", "paragraph"):
            assert word not in reply.text.lower()


def test_signposts_are_loaded_once_and_complete() -> None:
    signposts = load_signposts()
    assert signposts is load_signposts()
    contacts = {s.name: s.contact for s in signposts.contacts.values()}
    assert contacts["Childline"].startswith("0800 1111")
    assert contacts["NSPCC Helpline"].startswith("0808 800 5000")
    assert contacts["Samaritans"].startswith("116 123")
    assert contacts["Emergency services"] == "999"


@given(st.text(max_size=300))
def test_any_text_gets_a_verdict(text: str) -> None:
    check = detect_disclosure(text)
    assert check.disclosure == (check.category is not None)
