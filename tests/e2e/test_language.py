"""What the clinical language layer changes in a conversation, through the real servers: a
handful per behaviour (tests/language carries the breadth)."""
from bench.language import Parser
from tests.e2e.servers import API_TOKEN, Chat

NO_TO_QUESTION = {  # replies that get the check to a given question, in the spec's order
    "recent_injury": ["no", "no", "no", "no"],
    "fever": ["no", "no", "no", "no", "no"],
    "both_legs": ["no", "no", "no", "yes"],
}


def emergency(replies) -> bool:
    return any((m.get("custom") or {}).get("triage_level") == "emergency" for m in replies)


def without_disclaimer(replies):
    return [m for m in replies if not m.get("text", "").startswith("I'm an automated")]


def advice(replies) -> str:
    """The outcome's text: the first message after the disclaimer (its level follows it)."""
    return next(m["text"] for m in without_disclaimer(replies) if "text" in m)


def last_text(replies) -> str:
    return replies[-1].get("text", "")


def start(chat: Chat, at: str):
    chat.say("check my symptoms")
    for text in NO_TO_QUESTION[at]:
        chat.say(text)


# -- volunteered statements ------------------------------------------------------------------

def test_a_combined_row_stated_in_one_message_is_an_emergency(chat):
    replies = chat.say("I use heroin and I've had a high temperature for two days "
                       "with this back pain")
    assert emergency(replies)
    assert "a higher risk of infection" in advice(replies)


def test_the_recall_net_writes_how_likely_an_emergency_is_into_the_parse_data(stack):
    parse = Parser(stack.url, API_TOKEN)
    assert parse("I've wet myself and I can't feel my bum")["emergency_likelihood"] >= 0.75 > \
        parse("my back is a bit stiff after gardening")["emergency_likelihood"]


def test_denied_past_and_someone_elses_past_are_not(stack):
    for text in ("nothing wrong with my bladder whatsoever",
                 "I broke my back in a motorbike crash back in 1998",
                 "my grandma has weak legs from her MS",
                 "I nearly wet myself when I saw the bill"):
        assert not emergency(Chat(stack).say(text)), text


def test_someone_elses_emergency_now_is_addressed_to_the_helper(chat):
    replies = chat.say("my husband says his legs have gone numb and he can't stand")
    assert advice(replies).startswith("Call 911 for them")


def test_a_question_about_a_sign_asks_if_it_is_happening_now(chat):
    replies = without_disclaimer(chat.say("is tingling in both feet serious?"))
    assert not emergency(replies)
    assert "If this is happening to you now, call 911" in replies[0]["text"]
    assert last_text(replies) == "Is this happening to you now?"
    assert [b["payload"] for b in replies[-1]["buttons"]] == ["/affirm", "/deny"]
    assert emergency(chat.say("yes"))
    assert chat.slot("triage_level") == "emergency"


def test_no_to_is_it_happening_now_is_no_emergency(chat):
    assert not emergency(chat.say("what happens if I start leaking urine?"))
    replies = chat.say("no")
    assert not emergency(replies) and "If it does start" in replies[0]["text"]


def test_a_symptom_opener_offers_the_check_and_yes_starts_it(chat):
    replies = chat.say("my back is killing me")
    assert any(b["payload"] == "/start_screening" for m in replies for b in m.get("buttons", []))
    replies = chat.say("yes")
    assert "pee or poo" in last_text(replies), "the first question of the check"


def test_a_fact_stated_before_the_check_is_not_asked_again(chat):
    chat.say("I've had a fever for three days")
    chat.say("check my symptoms")
    assert chat.slot("fever") is True


# -- answers read against the question -------------------------------------------------------

def test_a_request_to_explain_gets_the_question_explained_then_asked_again(chat):
    chat.say("check my symptoms")
    replies = chat.say("I'm not sure what you mean")
    assert not emergency(replies)
    assert "I ask because" in replies[0]["text"]
    assert "pee or poo" in last_text(replies)
    assert chat.slot("bladder_bowel_change") is None


def test_no_but_a_detail_that_answers_yes(chat):
    start(chat, "recent_injury")
    replies = chat.say("no, but I did slip off a ladder last week")
    assert not emergency(replies)
    assert chat.slot("recent_injury") is True
    assert "serious accident" in last_text(replies), "the follow-up question comes next"


def test_a_detail_that_points_to_care_wins_over_no(chat):
    start(chat, "fever")
    chat.say("no temperature, just shivery and sweaty at night")
    assert chat.slot("fever") is True


def test_a_partial_answer(chat):
    start(chat, "both_legs")
    chat.say("just the left one")
    assert chat.slot("both_legs") is False


def test_another_fact_in_an_answer_is_kept_and_not_asked(chat):
    chat.say("check my symptoms")
    chat.say("no, but I had breast cancer ten years ago")
    assert chat.slot("bladder_bowel_change") is False
    assert chat.slot("cancer_history") is True


def test_bone_risk_follows_an_injury_that_was_not_serious(chat):
    start(chat, "recent_injury")
    chat.say("yes")
    replies = chat.say("no")
    assert "thin bones" in last_text(replies) or "osteoporosis" in last_text(replies)


def test_an_injury_that_may_have_been_serious_gets_the_question_asked(chat):
    start(chat, "recent_injury")
    replies = chat.say("yeah I came off my horse on Sunday")
    assert not emergency(replies)
    assert chat.slot("recent_injury") is True and chat.slot("injury_severe") is None
    assert "serious accident" in last_text(replies)
    assert emergency(chat.say("yes, she threw me and I landed on a fence"))


def test_a_reply_the_table_takes_is_an_answer_whatever_the_classifier_says(chat):
    """"car" and "twisted" may make DIET say red_flag: the layer reads a yes to the injury
    question, which makes no emergency, so the check asks whether it was serious."""
    start(chat, "recent_injury")
    replies = chat.say("I twisted awkwardly getting out of the car")
    assert not emergency(replies)
    assert chat.slot("recent_injury") is True
    assert "serious accident" in last_text(replies)


def test_an_answer_about_a_possibly_serious_fall_keeps_the_earlier_answers(chat):
    start(chat, "fever")  # no to everything before, and to the injury question
    chat.say("no fever, but I fell down the stairs yesterday")
    assert chat.slot("fever") is False and chat.slot("recent_injury") is True
    assert chat.slot("bladder_bowel_change") is False
    replies = chat.say("no, just a few bruises")
    assert not emergency(replies)
    assert chat.slot("injury_severe") is False


def test_a_possibly_serious_injury_told_outside_the_check_is_an_emergency(chat):
    """Serious or not, the words do not say and no question follows: not sure counts as yes."""
    assert emergency(chat.say("my son came off his motorbike an hour ago and says his back "
                              "really hurts"))


def test_the_outcome_lists_every_reason_not_sure_and_the_safety_net(chat):
    answers = ["check my symptoms", "no", "no", "no", "no", "no", "maybe", "no", "yes", "no",
               "no", "8 weeks", "40"]
    for text in answers:
        replies = chat.say(text)
    text = advice(replies)
    assert text.startswith("Please contact a doctor or urgent care today"), text
    assert "you weren't sure whether you have a fever or feel very unwell" in text
    assert "You also mentioned:" in text and "6 weeks or more" in text
    assert "at once if any of these start" in text
    assert "not a diagnosis" in text


def test_an_unclear_yes_no_twice_asked_again_counts_as_not_sure(chat):
    start(chat, "fever")
    for text in ("purple", "purple", "purple"):
        replies = chat.say(text)
    assert chat.slot("fever") is True
    assert "not sure" in replies[0]["text"]
