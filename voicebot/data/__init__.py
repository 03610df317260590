"""The service's records: one database (SQLite by default, PostgreSQL by URL) for calls,
turns, disclosures, decisions, arrangements, hand-offs, compliance flags and contacts.

``Database`` opens it and applies the migrations; ``Records`` writes and reads it.
"""

from voicebot.data.database import Database, DatabaseError, IntegrityViolation, default_url
from voicebot.data.records import Records

__all__ = ["Database", "DatabaseError", "IntegrityViolation", "Records", "default_url"]
