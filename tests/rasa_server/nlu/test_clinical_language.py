"""The clinical language layer in the NLU pipeline: entities and intents on real messages."""
import pytest


def facts(parse, **where):
    return {(e["entity"], e.get("role"), e.get("group")) for e in parse["entities"]
            if e.get("extractor") == "ClinicalLanguageReader" and e["entity"] not in (
                "reply", "number_answer")
            and all(e.get(k) == v for k, v in where.items())}


def test_a_fact_is_an_entity_named_after_its_slot_with_assertion_and_whose(language):
    parse = language.parse("my husband says his legs have gone numb")
    assert ("both_legs", "affirmed", "someone_else_now") in facts(parse)
    parse = language.parse("no bladder problems at all")
    assert ("bladder_bowel_change", "negated", "patient") in facts(parse)


def test_facts_that_make_an_emergency_row_make_it_red_flag(language):
    m = language.message("I use heroin and I've had a high temperature for two days", "faq")
    assert m.get("intent") == {"name": "red_flag", "confidence": 1.0}
    assert m.get("intent_ranking")[1]["name"] == "faq", "the classifier's guess stays ranked"


def test_diet_red_flag_stays_unless_an_assertion_explains_every_sign(language):
    # explained: denied, past, someone else's past
    for text in ("no numbness in my groin", "I wet myself as a child",
                 "my grandma has weak legs from her MS"):
        assert language.message(text, "red_flag").get("intent")["name"] != "red_flag", text
    # not explained: a sign the lexicon does not know is left to DIET
    assert language.message("something is badly wrong down there", "red_flag").get(
        "intent")["name"] == "red_flag"
    # a bruise says nothing of a warning sign: the slip explains the message
    assert language.message("I slipped on the ice and landed on my bum, it's bruised and sore",
                            "red_flag").get("intent")["name"] != "red_flag"
    # a denial of one thing does not cancel DIET for the rest
    assert language.message("no fever but everything feels odd", "red_flag").get(
        "intent")["name"] == "red_flag"
    # a denied answer-only phrase explains its clause; a place alone ("left foot") does not
    assert language.message("no numbness there, but my right leg's numb", "red_flag").get(
        "intent")["name"] != "red_flag"
    assert language.message("since lunch the soles of both feet feel like sponges",
                            "red_flag").get("intent")["name"] == "red_flag"
    # words that disclaim the signs spoken of are words the layer read
    assert language.message("The card lists numb genitals and weak legs as warning signs. None "
                            "of those apply to me.", "red_flag").get("intent")["name"] != "red_flag"


def test_the_recall_net_alone_stands_only_when_sure_and_nothing_explains_the_message(language):
    """Against a reading that found no emergency, the net's likelihood needs config.yml's
    net_emergency_alone, and never stands against a reading that explains the message."""
    unknown = "everything down below feels strange and odd"
    sure = language.message(unknown, "faq", likelihood=0.95)
    assert sure.get("intent")["name"] == "red_flag"
    assert sure.get("intent_ranking")[1]["name"] == "faq", "the classifier's guess stays ranked"
    assert language.message(unknown, "faq", likelihood=0.5).get("intent")["name"] == "faq"
    for explained in ("no numbness in my groin", "I wet myself as a child"):
        assert language.message(explained, "faq", likelihood=0.99).get(
            "intent")["name"] != "red_flag", explained


def test_diet_red_flag_alone_stands_only_when_diet_is_sure(language):
    """Against a reading that found no emergency, DIET's red_flag needs config.yml's
    diet_red_flag_alone; the layer's own emergency needs no classifier at all."""
    unknown = "everything down below feels strange and odd"
    assert language.message(unknown, "red_flag", confidence=0.97).get(
        "intent")["name"] == "red_flag"
    assert language.message(unknown, "red_flag", confidence=0.6).get(
        "intent")["name"] != "red_flag"
    assert language.message("I've wet myself and can't feel my bum", "faq",
                            confidence=0.99).get("intent")["name"] == "red_flag"


def test_a_question_about_a_sign(language):
    m = language.message("is tingling in both feet serious?", "faq")
    assert m.get("intent")["name"] == "ask_about_sign"


def test_symptoms_stated_are_not_a_question(language):
    m = language.message("my back is killing me", "faq")
    assert m.get("intent")["name"] == "describe_symptoms"
    assert ("severe_pain", "affirmed", "patient") in facts(
        {"entities": m.get("entities")})
    m = language.message("fell down the last two steps on Sunday, my back's sore", "out_of_scope")
    assert m.get("intent")["name"] == "describe_symptoms"


def test_answer_words_and_numbers(language):
    parse = language.parse("nope")
    assert {"entity": "reply", "value": "no"}.items() <= parse["entities"][-1].items()
    numbers = {e.get("role"): e["value"] for e in language.parse("about three weeks")["entities"]
               if e["entity"] == "number_answer"}
    assert numbers["pain_duration_weeks"] == pytest.approx(3.0)


def test_buttons_are_left_to_their_payload(language):
    m = language.message("/affirm", "affirm")
    assert m.get("intent")["name"] == "affirm"
    assert not m.get("entities")


@pytest.mark.parametrize("text", ["I CAN'T FEEL WHEN I NEED TO PEE",
                                  "i cant feel when i need to pee"])
def test_shouting_and_lower_case_read_alike(language, text):
    assert language.message(text, "inform").get("intent")["name"] == "red_flag"


@pytest.mark.parametrize("text,fact", [
    # "or"/"nor" after a denial shares it, whatever ConText's scopes reached
    ("Neither numbness nor weakness in my legs", ("leg_weakness", "negated", "patient")),
    ("no weakness or tingling in either leg", ("leg_numbness", "negated", "patient")),
    # not knowing it happened is no denial
    ("I didn't realise I'd soiled myself until I smelled it",
     ("bladder_bowel_change", "affirmed", "patient")),
    # a sign spoken of as a sign
    ("Dr Google says bladder problems can mean cauda equina",
     ("saddle_numbness", "hypothetical", "patient")),
    ("foot drop is a red flag for the spine", ("leg_weakness", "hypothetical", "patient")),
    # ... but not when the patient states it first
    ("I can't feel my bum, which can mean cauda equina",
     ("saddle_numbness", "affirmed", "patient")),
    ("my leg has gone weak, is that serious?", ("leg_weakness", "affirmed", "patient")),
    # ... nor when the patient is only the one told
    ("My friend who's a paramedic told me numbness in both legs is a 999 job",
     ("leg_numbness", "hypothetical", "patient")),
    ("My GP gave me a card about cauda equina warning signs",
     ("saddle_numbness", "hypothetical", "patient")),
    # what might happen has not happened ("might spread", "won't be able to")
    ("Worried the sciatica in my right leg might spread to my other leg eventually",
     ("both_legs", "hypothetical", "patient")),
    ("Part of me is worried I'll wake up one morning and not be able to feel my legs",
     ("leg_numbness", "hypothetical", "patient")),
    # "no" right before a sign denies it, even where it lies inside another mention
    ("I don't have problem with toilet, also no numbness in the legs.",
     ("leg_numbness", "negated", "patient")),
    ("I have full sensation in the saddle area", ("saddle_numbness", "negated", "patient")),
    # someone else's past that counts now (cancer) counts for them now
    ("I'm a carer for a lady who had breast cancer, and today she says her leg is tingling "
     "and numb", ("cancer_history", "affirmed", "someone_else_now")),
    ("Asking for my mother, she's had no sensation when she goes to the toilet since this "
     "morning", ("bladder_bowel_change", "affirmed", "someone_else_now")),
    # people in general; distant times, also after a "but"
    ("In my job as a nurse I see lots of people with weak legs after strokes",
     ("leg_weakness", "affirmed", "someone_else")),
    ("A lot of pregnant women get tingling down their legs",
     ("leg_numbness", "affirmed", "someone_else")),
    ("Fractured a vertebra falling off a horse, but that's thirty years ago",
     ("injury_severe", "historical", "patient")),
    ("After my son was born I leaked urine for a few months, but physio sorted that out years "
     "ago", ("bladder_bowel_change", "historical", "patient")),
    # a word of a ConText cue is no typing slip ("spina" is not "spine"): the cue still counts
    ("The boy next door has spina bifida and can't feel his legs, he's in a wheelchair",
     ("leg_numbness", "affirmed", "someone_else")),
    # a fall down the stairs or off a horse may or may not be serious (the check asks); off a
    # roof it is, down the last few steps it is not
    ("I fell down the stairs at work", ("injury_severe", "possible", "patient")),
    ("yeah I came off my horse on Sunday", ("injury_severe", "possible", "patient")),
    ("I came off my motorbike at speed", ("injury_severe", "affirmed", "patient")),
    ("fell off the garage roof", ("injury_severe", "affirmed", "patient")),
    ("my husband fell down the stairs an hour ago and can't get up",
     ("injury_severe", "possible", "someone_else_now")),
    ("fell down the last two steps on Sunday", ("injury_severe", "negated", "patient")),
    ("I fell down 3 stairs", ("injury_severe", "negated", "patient")),
    # a normal state denies a sign; a denial inside it says the sign
    ("my legs feel fine", ("leg_weakness", "negated", "patient")),
    ("my right leg isn't strong any more", ("leg_weakness", "affirmed", "patient")),
    ("my bladder is not normal since Monday", ("bladder_bowel_change", "affirmed", "patient")),
    # pain that shoots down a leg
    ("a sharp pain shoots from my buttock down to my calf",
     ("leg_numbness", "affirmed", "patient")),
    # a cue that shares a word with a mention still reaches the others ("better", "diabetes"
    # are mentions themselves); a cue inside a mention ("can't") reaches none
    ("I had a chest infection and a temperature in March, all better since",
     ("fever", "historical", "patient")),
    ("my husband gets pins and needles in both feet from his diabetes",
     ("both_legs", "affirmed", "someone_else")),
    ("I can't control my bladder since I got a fever", ("fever", "affirmed", "patient")),
    # "can't really", "can't even" are "can't"
    ("since last night I can't really hold my wee", ("bladder_bowel_change", "affirmed",
                                                     "patient")),
    ("I can feel everything in my saddle area", ("saddle_numbness", "negated", "patient")),
    # a "lol" is a tone, not a joke
    ("my taint is numb lol not joking tho", ("saddle_numbness", "affirmed", "patient")),
    # "wet myself with laughter" is an idiom, "wet myself with no warning" is not
    ("Ever since my back went I've been peeing myself with no warning",
     ("bladder_bowel_change", "affirmed", "patient")),
    # alternatives of several words are phrases of their own ("it", "anything", "a thing")
    ("when I went for a wee I couldn't feel it coming out",
     ("bladder_bowel_change", "affirmed", "patient")),
    ("I can't feel anything when I pee", ("bladder_bowel_change", "affirmed", "patient")),
    # a sign in what someone reports, naming no one, is spoken of as a sign ...
    ("A doctor on telly said foot drop is serious", ("leg_weakness", "hypothetical",
                                                     "patient")),
    ("They said on the radio that a fall from a height can break your spine",
     ("injury_severe", "hypothetical", "patient")),
    # ... but a report about someone is about them
    ("My husband's just told me he can't feel himself when he wipes",
     ("saddle_numbness", "affirmed", "someone_else_now")),
    ("my wife told me my foot is dragging", ("leg_weakness", "affirmed", "patient")),
    # a worry inside a mention's gap is a worry ("I go to the loo and worry I won't feel it")
    ("Every time I go to the loo I worry I won't be able to feel it",
     ("bladder_bowel_change", "hypothetical", "patient")),
    # a sign spoken of, then claimed: the patient's now
    ("I read that numbness between your legs is a warning sign, and that's exactly what I've "
     "had since this morning", ("saddle_numbness", "affirmed", "patient")),
    ("My GP told me to come back if both legs went tingly, and now they both are",
     ("both_legs", "affirmed", "patient")),
    # a journey, not the past; the first time since childhood is new
    ("on the way back a lorry went through a red light and hit the side of my car",
     ("injury_severe", "affirmed", "patient")),
    ("Last night I wet the bed, which hasn't happened since I was a kid",
     ("bladder_bowel_change", "affirmed", "patient")),
    # "doesn't seem to" is "doesn't"
    ("my right foot doesn't seem to clear the ground properly today",
     ("leg_weakness", "affirmed", "patient")),
    # someone else's long-standing state is not now, unless something is new
    ("My uncle has MS and drags his foot", ("leg_weakness", "affirmed", "someone_else")),
    ("My partner always gets pins and needles in both feet",
     ("both_legs", "affirmed", "someone_else")),
    ("my mum has MS and since this morning she can't feel her legs at all",
     ("both_legs", "affirmed", "someone_else_now")),
    ("my husband has diabetes and he's burning up with a fever",
     ("fever", "affirmed", "someone_else_now")),
    # signs spoken of, then disclaimed: denied
    ("the physio went through all the warning signs with me, numbness in the saddle area, "
     "bladder problems, weak legs, and I don't have any of them",
     ("bladder_bowel_change", "negated", "patient")),
    ("I keep worrying I might have cauda equina but I've got none of the symptoms",
     ("saddle_numbness", "negated", "patient")),
    # ... but a sign stated in the sentence before stays stated
    ("I wet myself this morning. The nurse asked about weakness and I have none of those",
     ("bladder_bowel_change", "affirmed", "patient")),
    # wetting oneself when getting up is a sign; "when I saw the bill" is an idiom (below)
    ("I've started wetting myself when I get up from a chair",
     ("bladder_bowel_change", "affirmed", "patient")),
    # "whether I need a wee or not any more" says nothing cleared up
    ("I can't tell if I need a wee or not anymore", ("bladder_bowel_change", "affirmed",
                                                     "patient")),
    ("had my lower spine operated on three weeks ago", ("infection_risk", "affirmed", "patient")),
    ("My sister wets herself when she laughs, has done ever since her kids",
     ("bladder_bowel_change", "affirmed", "someone_else")),
    ("My flatmate fell off the first-floor balcony", ("injury_severe", "affirmed",
                                                      "someone_else_now")),
    # a condition named counts unless the message denies the sign itself
    ("I think I have cauda equina", ("saddle_numbness", "uncertain", "patient")),
    # what a list says is spoken of as a sign
    ("Everything I read says numb saddle area, loss of bladder control, weak legs.",
     ("leg_weakness", "hypothetical", "patient")),
    ("10 days post L4/5 discectomy, temp 38.5 this evening",
     ("infection_risk", "affirmed", "patient")),
    ("Sitting on the toilet seat feels like sitting on nothing",
     ("saddle_numbness", "affirmed", "patient")),
    ("Only a five-day course of steroids once", ("bone_risk", "negated", "patient")),
    # how far, a few words on from the fall
    ("I fell off a ladder yesterday, about 3 metres", ("injury_severe", "affirmed", "patient")),
    # thin bones found last year are thin bones now; a short course of steroids is no risk
    ("thin bones, they found it on a scan last year", ("bone_risk", "affirmed", "patient")),
    ("just one short course of steroids, about five days", ("bone_risk", "negated", "patient")),
    # whose a sign is: a pronoun inside the mention ("she fell"), or inside another mention
    ("My daughter is 15, she fell off the climbing wall", ("recent_injury", "affirmed",
                                                          "someone_else_now")),
    ("Mum's just told me her bottom and the inside of her thighs feel numb",
     ("leg_numbness", "affirmed", "someone_else_now")),
    # ... and the patient inside it makes it theirs, whoever did it
    ("Bloke in a ute ran a red and cleaned us up at the lights yesterday",
     ("injury_severe", "affirmed", "patient")),
    # someone else's sign told in the present is now, whatever past verb lies near
    ("My daughter says both her legs are tingling and weak after she landed badly",
     ("leg_weakness", "affirmed", "someone_else_now")),
    # "since she woke up" runs until now; "since I was a kid" does not
    ("My dad has had numbness in both legs since he woke up",
     ("leg_numbness", "affirmed", "someone_else_now")),
    ("my left leg's been weaker since I had polio as a child, but it's no different now",
     ("leg_weakness", "historical", "patient")),
    # a past sign said to be back is now; one that "never happened again" is not
    ("The leaking I had after childbirth stopped years ago, but this week it's started again",
     ("bladder_bowel_change", "affirmed", "patient")),
    ("My leg gave way once on holiday two years ago, never happened again",
     ("leg_weakness", "historical", "patient")),
    # "back in" is the past only before a time ("back in 2019", "back in the day")
    ("Not only is my back in agony, my bum and groin feel completely dead",
     ("saddle_numbness", "affirmed", "patient")),
    # "when my ..." after a sign makes it hypothetical only right after it
    ("Since yesterday my genitals feel numb, I couldn't feel anything when my partner "
     "touched me", ("saddle_numbness", "affirmed", "patient")),
    ("I had a numb bum for a day after my epidural when my son was born, nothing since",
     ("saddle_numbness", "historical", "patient")),
    # the "n't" of an answer-only phrase ("can't lift") denies no fact
    ("My dad can't lift his foot, it's just flopping when he walks",
     ("leg_weakness", "affirmed", "someone_else_now")),
    # "it" after what a fact is about: the nearest such word decides
    ("The physio checked my foot today and said it's definitely weaker than last week",
     ("leg_weakness", "affirmed", "patient")),
    # a phrase's gap crosses where the parser alone ended a sentence, not where the writer did
    ("cant feel wen i wipe my bum", ("saddle_numbness", "affirmed", "patient")),
    # a colon ends what a worry covers
    ("Worried about infection: I'm on immunosuppressants and I've been feverish since "
     "yesterday", ("infection_risk", "affirmed", "patient")),
    # "not being able to" is "can't"; "does not ..." asks, as "doesn't" would not
    ("I've not been able to pee since this morning", ("bladder_bowel_change", "affirmed",
                                                      "patient")),
    ("Not being able to pee since this morning", ("bladder_bowel_change", "affirmed",
                                                  "patient")),
    ("does not being able to pee with back pain mean something bad",
     ("bladder_bowel_change", "asked", "patient")),
    # someone else's sign in the present perfect is now, whatever past verb follows it
    ("My husband has lost control of his bladder and didn't even feel it",
     ("bladder_bowel_change", "affirmed", "someone_else_now")),
    ("My flatmate had soiled herself at the party and didn't notice",
     ("bladder_bowel_change", "affirmed", "someone_else")),
    # a dream did not happen; what was read or heard about, a few words on, is spoken of
    ("I dreamt that I'd wet the bed", ("bladder_bowel_change", "hypothetical", "patient")),
    ("I was reading a long thread about cauda equina last night",
     ("saddle_numbness", "hypothetical", "patient")),
    # people, with no one named, are people in general
    ("Is it true that people lose control of their bladder with a slipped disc?",
     ("bladder_bowel_change", "asked", "someone_else")),
    # what "started again" is, is what came back: not a sign when it is running
    ("I had a chest infection with a fever in March, all cleared up. The back pain began "
     "when I started cycling again", ("fever", "historical", "patient")),
    ("the tingling in my foot went away last year, but it has started again",
     ("leg_numbness", "affirmed", "patient")),
    # a past sign back: "it's come back", "it's back" (alternatives of several words are
    # phrases of their own)
    ("the numbness in my groin went away last year but it's come back",
     ("saddle_numbness", "affirmed", "patient")),
    ("the numbness in my groin went away last year, it's back", ("saddle_numbness", "affirmed",
                                                                 "patient")),
    # ... but not when it "hasn't come back"
    ("I had numbness in my groin in the spring, it settled and hasn't come back",
     ("saddle_numbness", "historical", "patient")),
    # rigors told as cold and shaking; an abscess had; an accident in one's kecks
    ("I'm on chemo and I've been freezing and shaking all afternoon",
     ("fever", "affirmed", "patient")),
    ("I had an abscessed tooth out on Monday", ("infection_risk", "affirmed", "patient")),
    ("had an accident in me kecks on the bus", ("bladder_bowel_change", "affirmed", "patient")),
    # "not like" says what it is not like, close by: not a sign told after it
    ("It's not like my usual ache, there's numbness round my back passage now",
     ("saddle_numbness", "affirmed", "patient")),
    # "is that ..." after what the patient wants to ask states what follows
    ("The thing I wanted to ask about is that since Monday I can't feel when I need a wee",
     ("bladder_bowel_change", "affirmed", "patient")),
    # "no joke" is no denial
    ("no joke, my bum has gone numb since yesterday", ("saddle_numbness", "affirmed", "patient")),
    # red flags like ... are spoken of
    ("my GP went on about red flags like numbness between the legs",
     ("saddle_numbness", "hypothetical", "patient")),
    # someone else's sign from a condition, or for many years, is long-standing
    ("My father has numb feet from diabetes", ("leg_numbness", "affirmed", "someone_else")),
    ("My mother she have weak legs since many years", ("leg_weakness", "historical",
                                                       "someone_else")),
    # gone, and long ago, after the fact
    ("I had a high temperature with the flu last week, but that's gone",
     ("fever", "historical", "patient")),
    ("I wet myself once from the pain, but that was the kidney stone, must be twenty years ago",
     ("bladder_bowel_change", "historical", "patient")),
    # retention and leaking as patients say them; a leg that will not obey; a foot hanging
    ("Since this morning I am not able to make pipi, I try and try, nothing come",
     ("bladder_bowel_change", "affirmed", "patient")),
    ("the waterworks have packed in", ("bladder_bowel_change", "affirmed", "patient")),
    ("Since yesterday motion is coming without my knowledge",
     ("bladder_bowel_change", "affirmed", "patient")),
    ("my todger feels fizzy", ("saddle_numbness", "affirmed", "patient")),
    ("left leg's gone to custard", ("leg_weakness", "affirmed", "patient")),
    ("both my legs have gone now, I can't stand", ("leg_weakness", "affirmed", "patient")),
    # "it's gone to sleep" is numb, not gone
    ("when I sit on the loo it feels like my backside isn't there, like it's gone to sleep",
     ("saddle_numbness", "uncertain", "patient")),
    ("I can't get my leg up onto the kerb", ("leg_weakness", "affirmed", "patient")),
    ("My leg is not obey me since today", ("leg_weakness", "affirmed", "patient")),
    ("my foot is hanging down when I walk", ("leg_weakness", "affirmed", "patient")),
    # infection risk in everyday words
    ("I'm an IV user and I've got the chills", ("infection_risk", "affirmed", "patient")),
    ("had an infected toe last month", ("infection_risk", "affirmed", "patient")),
    # a sign told with its own denial is not denied again by one before it
    ("Haven't slept, can't feel my feet since this morning", ("both_legs", "affirmed",
                                                              "patient")),
    ("no idea what's going on, I haven't been since yesterday, can't seem to go",
     ("bladder_bowel_change", "affirmed", "patient")),
    # "I know all about ..." speaks of it; "their" is someone else's
    ("I nursed my dad for years so I know all about weak legs", ("leg_weakness", "hypothetical",
                                                                 "patient")),
    ("loads of the lads at work say their legs went weak after back surgery",
     ("leg_weakness", "affirmed", "someone_else")),
    # numb from sitting, back when standing
    ("my bum went numb on the six hour flight but it came back when I stood up",
     ("saddle_numbness", "historical", "patient")),
    # injuries as told: a truck totaled, off an upper floor, off a bike
    ("a guy ran the lights and my truck was totaled", ("injury_severe", "affirmed", "patient")),
    ("I came down from the second floor window onto the patio", ("injury_severe", "affirmed",
                                                                  "patient")),
    ("came off my bike on the way to work", ("recent_injury", "affirmed", "patient")),
    # a replaced joint is surgery; boiling and shaking is a fever; bits that belong to
    # someone else are numb; a lazy foot is weak
    ("he had his knee replaced a fortnight ago", ("infection_risk", "affirmed",
                                                  "someone_else_now")),
    ("im boilin and shakin all night", ("fever", "affirmed", "patient")),
    ("my bits feel like they belong to someone else", ("saddle_numbness", "affirmed",
                                                       "patient")),
    ("my left foot has gone lazy", ("leg_weakness", "affirmed", "patient")),
    # "well since" clears up what came before
    ("I had a kidney infection with fevers in the spring and I've been well since",
     ("fever", "historical", "patient")),
    # a temperature read: a fever from 38 °C, a normal temperature below
    ("the thermometer says 38.4 and I'm shaking", ("fever", "affirmed", "patient")),
    ("my temperature is 36.9, I checked", ("fever", "negated", "patient")),
    # a denial that it stopped says it goes on
    ("both feet have been tingling since lunch and it hasn't stopped",
     ("both_legs", "affirmed", "patient")),
    # told of a time gone by, or of someone who has died: someone else's, not now
    ("my cousin was in a car crash last month", ("injury_severe", "affirmed", "someone_else")),
    ("my gran wet herself in her last years, God rest her",
     ("bladder_bowel_change", "affirmed", "someone_else")),
    ("my cousin got t-boned last month", ("injury_severe", "affirmed", "someone_else")),
    ("my cousin got t-boned in March", ("injury_severe", "affirmed", "someone_else")),
    ("in her last years my gran couldn't hold her water",
     ("bladder_bowel_change", "affirmed", "someone_else")),
    ("my dad, God rest him, couldn't feel his legs at the end",
     ("leg_numbness", "affirmed", "someone_else")),
    ("I had a fever in the summer but that's long gone", ("fever", "historical", "patient")),
    # Scots denials and words
    ("nae numbness in my legs", ("leg_numbness", "negated", "patient")),
    ("I've pished masel on the bus", ("bladder_bowel_change", "affirmed", "patient")),
    # what someone keeps seeing of the patient is no report of a sign
    ("my mum keeps saying my right foot drags", ("leg_weakness", "affirmed", "patient")),
    # a leaflet's signs, then "none of them have happened"
    ("The leaflet has the emergency signs, the bladder going, numbness in the saddle, weak "
     "legs. None of them have happened.", ("saddle_numbness", "negated", "patient")),
    # everyday words
    ("my johnson has gone numb", ("saddle_numbness", "affirmed", "patient")),
    ("fell of a scaffold at work", ("injury_severe", "affirmed", "patient")),
    ("I can't control my bowls", ("bladder_bowel_change", "affirmed", "patient")),
    ("wee came out when I stood up", ("bladder_bowel_change", "affirmed", "patient")),
    ("I only find out when I'm already wet", ("bladder_bowel_change", "affirmed", "patient")),
    ("after my hernia operation last week I've been shivering",
     ("infection_risk", "affirmed", "patient")),
    # a denial that runs into the mention ("haven't had" + "had any surgery")
    ("I've got a temperature but I haven't had any surgery lately",
     ("infection_risk", "negated", "patient")),
    # a cue of a worry reaches on past a nearer cue of its kind that looks the other way
    ("I'm terrified this will end up like my cousin's cauda equina",
     ("saddle_numbness", "hypothetical", "patient")),
    # the generic "you" owns no sign
    ("numbness in your bum is the one to watch for", ("saddle_numbness", "hypothetical",
                                                      "patient")),
    # the sentence after dates what the one before told of
    ("After my daughter was born I couldn't feel my bottom for a day. That was nine years ago.",
     ("saddle_numbness", "historical", "patient")),
    ("My mum's legs went numb after her fall. That was years ago.",
     ("leg_numbness", "affirmed", "someone_else")),
    # what it could turn into has not happened
    ("left alone a bad back turns into numbness in both legs",
     ("leg_numbness", "hypothetical", "patient")),
    ("had a bump in the car last month", ("recent_injury", "affirmed", "patient")),
    # "or not" in a mention is no denial
    ("I wasn't sure whether I was actually weeing or not, I couldn't feel it",
     ("bladder_bowel_change", "uncertain", "patient")),
    ("went arse over tit off the garage roof yesterday", ("injury_severe", "affirmed", "patient")),
    # a fact inside a request to explain the question is asked about, unless claimed after
    ("does lifting my toddler count as heavy lifting?", ("recent_injury", "asked", "patient")),
    ("does falling off a step count? I did that on Sunday",
     ("recent_injury", "affirmed", "patient")),
    # "not numb as such" denies a word, not what comes after it
    ("not numb as such, more like electric shocks down to my knee",
     ("leg_numbness", "affirmed", "patient")),
])
def test_what_the_words_around_a_fact_say_of_it(language, text, fact):
    assert fact in facts(language.parse(text)), facts(language.parse(text))


@pytest.mark.parametrize("text,fact", [
    ("numbess down my leg", ("leg_numbness", "affirmed", "patient")),  # a letter left out
    ("pins and needels in boht legs", ("both_legs", "affirmed", "patient")),  # letters swapped
    ("my grion is numm", ("saddle_numbness", "affirmed", "patient")),
    # the nearest word, not the first near enough ("injecton" is one slip from "injection",
    # two from "infection")
    ("i had a spinal injecton last week", ("infection_risk", "affirmed", "patient")),
])
def test_a_typing_slip_reads_as_the_word(language, text, fact):
    assert fact in facts(language.parse(text)), facts(language.parse(text))


def test_a_phrase_never_crosses_a_written_sentence_end(language):
    assert not facts(language.parse("I can't feel... my bum is sore from sitting"),
                     entity="saddle_numbness")


def test_what_a_course_covered_is_no_sign_of_the_patient(language):
    parse = language.parse("Our first aid course at work covered cauda equina")
    assert not facts(parse, role="affirmed"), facts(parse)


def test_a_rear_end_bump_is_serious_only_at_speed(language):
    # a simple rear-end collision is low risk (Canadian C-spine rule): the check asks next
    assert not facts(language.parse("got rear-ended at the lights yesterday"),
                     entity="injury_severe")
    assert ("injury_severe", "affirmed", "patient") in facts(
        language.parse("Got rear-ended on the motorway this morning at about 60"))


def test_it_is_what_was_named_last(language):
    # "it" is the bladder named last, not the leg named first
    parse = language.parse("My leg is fine. My bladder though, it keeps leaking")
    assert ("bladder_bowel_change", "affirmed", "patient") in facts(parse)
    assert not facts(language.parse("My leg aches, and my back, it feels weak"), role="affirmed")


def test_an_idiom_is_no_sign(language):
    assert not facts(language.parse("my knees went to jelly when I saw the bill"))
    assert not facts(language.parse("I wet myself when I heard the joke"))
    assert not facts(language.parse("I about peed my pants when I saw the bill"))
    assert not facts(language.parse("it eases in a hot bath"), entity="fever")
    assert not facts(language.parse("This week at work has been a total car crash"))
    assert not facts(language.parse("I nearly wet myself at the sight of the bill"))
    # ... but wetting oneself at a place is no idiom
    assert ("bladder_bowel_change", "affirmed", "patient") in facts(
        language.parse("I wet myself at the supermarket this morning"))


def test_a_condition_named_yields_to_a_denial_of_its_sign(language):
    parse = language.parse("I'm convinced I've got cauda equina. I've checked myself: I can "
                           "feel everything down there")
    assert facts(parse) == {("saddle_numbness", "negated", "patient")}


def test_not_dieting_denies_no_weight_loss(language):
    assert not facts(language.parse("about a stone in two months and I'm not dieting"))


def test_a_simile_is_no_injury(language):
    assert not facts(language.parse("I feel like I've been hit by a bus after a week of this"))
    assert ("injury_severe", "affirmed", "patient") in facts(
        language.parse("I was hit by a bus this morning"))


def test_heavy_is_weakness_only_when_said_of_a_leg(language):
    assert ("leg_weakness", "affirmed", "patient") in facts(
        language.parse("my legs feel really heavy since this morning"))
    assert not facts(language.parse("my foot tingles after a heavy session at the gym"),
                     entity="leg_weakness")


def test_a_fall_told_after_being_up_on_a_height_may_have_been_from_it(language):
    assert ("injury_severe", "possible", "patient") in facts(language.parse(
        "I was up on the shed roof fixing the felt and my foot slipped and I came down hard"))


def test_legs_like_jelly_after_exercise_is_tiredness(language):
    assert not facts(language.parse("legs like jelly after my first spin class"),
                     entity="leg_weakness")
    assert ("leg_weakness", "affirmed", "patient") in facts(
        language.parse("my legs have felt like jelly since I woke up"))


def test_only_where_says_nothing_of_a_sign(language):
    # "both of them" says where: with legs that are fine, no sign in both legs
    assert not facts(language.parse("My legs are fine, both of them"), role="affirmed")
