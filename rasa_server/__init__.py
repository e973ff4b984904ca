"""Code the Rasa server loads: input channels, stores, the NLU layer and the protections
(rasa_server/protections.py) that apply to every channel."""
