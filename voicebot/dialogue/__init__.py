"""The conversation: state, prompts, and deterministic parsers."""
