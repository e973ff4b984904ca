"""What the clinical language layer writes into the parse data and the action server reads
(README, "Clinical language layer"): the names are a contract between the two servers.

Each table fact is an entity named for its slot, value true, with its assertion as the role and
whose it is as the group; a `reply` entity carries a yes/no/not-sure word or a request to explain
(value), with the one question it answers as its role; a `number_answer` entity carries a number
read for `pain_duration_weeks` or `age` (role)."""

# Assertions (a fact entity's role)
AFFIRMED = "affirmed"
UNCERTAIN = "uncertain"
NEGATED = "negated"
HISTORICAL = "historical"
HYPOTHETICAL = "hypothetical"
ASKED = "asked"
# may be so, the words do not say ("came off my horse": serious or not?): not sure, but during
# the check the fact's own question is asked instead
POSSIBLE = "possible"
ASSERTIONS = (AFFIRMED, UNCERTAIN, NEGATED, HISTORICAL, HYPOTHETICAL, ASKED, POSSIBLE)
# what says the fact is, or may be, so: a yes (not sure counts as yes)
STATED = (AFFIRMED, UNCERTAIN, POSSIBLE)
# Whose it is (a fact entity's group)
PATIENT = "patient"
SOMEONE_ELSE = "someone_else"
SOMEONE_ELSE_NOW = "someone_else_now"
EXPERIENCERS = (PATIENT, SOMEONE_ELSE, SOMEONE_ELSE_NOW)
# Answer words (a `reply` entity's value)
YES, NO, UNSURE, EXPLAIN = "yes", "no", "unsure", "explain"
ANSWER_KINDS = (YES, NO, UNSURE, EXPLAIN)
# Entities besides the facts
REPLY = "reply"
NUMBER_ANSWER = "number_answer"
