"""Carrier protocol adapters: sans-I/O, bytes or JSON in, events out, and back."""
