"""Natural-language understanding: Rasa NLU project files plus the Python backends that serve them."""
