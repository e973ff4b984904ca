"""The clinic's insights: what patients ask, from the events Rasa's event broker writes."""
