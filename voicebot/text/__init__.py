"""Words shared by the packages that read what callers say (numbers, months).

A leaf: it imports nothing from the rest of voicebot, so the dialogue and the
redaction can both read number words without reaching into each other.
"""
