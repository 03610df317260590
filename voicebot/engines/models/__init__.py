"""The models the service uses: what each one is exactly (the catalogue), where it
comes from, and checking every file by its SHA-256 before it is loaded."""

from voicebot.engines.models.catalogue import CATALOGUE, Model, ModelFile, Role, VoiceArchive
from voicebot.engines.models.paths import INSTALL_HINT, ModelPaths, ModelStatus, State
from voicebot.engines.models.progress import Progress

__all__ = [
    "CATALOGUE",
    "INSTALL_HINT",
    "Model",
    "ModelFile",
    "ModelPaths",
    "ModelStatus",
    "Progress",
    "Role",
    "State",
    "VoiceArchive",
]
