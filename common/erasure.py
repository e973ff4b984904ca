"""The mark by which the action server asks the tracker store to erase a conversation: the
`restart` event of actions/privacy.py carries it in its metadata, and
rasa_server/stores/tracker_store.py deletes the sender's events when it sees it."""
ERASE_MARK = "erase_conversation"
