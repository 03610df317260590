"""voicebot: a self-hosted telephone voice agent for payment arrangements."""

__version__ = "0.1.0"
