"""The tables, as SQLAlchemy Core metadata (the migrations create the same).

Every table is written so that a row proves something on its own: who, when, which
call, which policy version. Caller text is stored redacted (card data never reaches
the database). Times are UTC.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

UTC_TIME = sa.DateTime(timezone=True)

calls = sa.Table(
    "calls", metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # the carrier's call id (CallSid)
    sa.Column("carrier", sa.String(32), nullable=False),
    sa.Column("stream_id", sa.String(64)),
    sa.Column("creditor", sa.String(64), nullable=False),
    sa.Column("account", sa.String(64)),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("started_at", UTC_TIME, nullable=False),
    sa.Column("ended_at", UTC_TIME),
    sa.Column("end_reason", sa.String(128)),
    sa.Column("prompt_version", sa.String(64)),
    sa.Column("policy_version", sa.String(64)),
    sa.Column("policy_hash", sa.String(64)),  # sha256 of the policy file as loaded
    sa.Column("instance", sa.String(64)),  # which service process took the call
    sa.Column("outcome", sa.JSON),  # the dialogue's outcome at the end
    sa.Index("ix_calls_started_at", "started_at"),
    sa.Index("ix_calls_account", "creditor", "account"),
)

turns = sa.Table(
    "turns", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("call_id", sa.String(64), sa.ForeignKey("calls.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("speaker", sa.String(8), nullable=False),  # bot or caller
    sa.Column("text", sa.Text, nullable=False),  # redacted
    sa.Column("at_seconds", sa.Float, nullable=False),  # from the start of the call
    sa.Column("interrupted", sa.Boolean, nullable=False, default=False),
    sa.Column("via", sa.String(16), nullable=False, default="voice"),
    sa.Column("timings", sa.JSON),  # per-stage milliseconds of the reply, when known
    sa.UniqueConstraint("call_id", "seq", name="uq_turns_call_seq"),
)

disclosures = sa.Table(
    "disclosures", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("call_id", sa.String(64), sa.ForeignKey("calls.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("name", sa.String(64), nullable=False),  # e.g. debt_collection, ai_assistant
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("mark", sa.String(128)),  # the carrier mark sent after its audio
    sa.Column("started_at", UTC_TIME, nullable=False),
    sa.Column("played_at", UTC_TIME),  # the carrier echoed the mark: heard to the end
    sa.Index("ix_disclosures_call", "call_id"),
)

decisions = sa.Table(
    "decisions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("call_id", sa.String(64), sa.ForeignKey("calls.id", ondelete="CASCADE"),
              nullable=False),
    sa.Column("at_seconds", sa.Float, nullable=False),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("detail", sa.Text, nullable=False, default=""),
    sa.Index("ix_decisions_call", "call_id"),
)

arrangements = sa.Table(
    "arrangements", metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("call_id", sa.String(64), sa.ForeignKey("calls.id"), nullable=False),
    sa.Column("creditor", sa.String(64), nullable=False),
    sa.Column("account", sa.String(64)),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("total", sa.String(32), nullable=False),  # decimal as text: exact
    sa.Column("schedule", sa.JSON, nullable=False),  # [{"date": ISO, "amount": "12.50"}]
    sa.Column("kind", sa.String(32), nullable=False),  # instalments, pay_in_full, settlement
    sa.Column("policy_version", sa.String(64)),
    sa.Column("policy_hash", sa.String(64)),
    sa.Column("readback", sa.Text, nullable=False),  # what the bot read back
    sa.Column("readback_finished_at", UTC_TIME),  # the read-back's mark came back
    sa.Column("consent_words", sa.Text, nullable=False),  # the caller's words, redacted
    sa.Column("agreed_at", UTC_TIME, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, default="agreed"),
    sa.Index("ix_arrangements_account", "creditor", "account"),
    sa.Index("ix_arrangements_agreed_at", "agreed_at"),
)

handoffs = sa.Table(
    "handoffs", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("created_at", sa.String(40), nullable=False),  # ISO text, as in the packet
    sa.Column("updated_at", sa.String(40), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("call_id", sa.String(64), nullable=False),
    sa.Column("packet", sa.Text, nullable=False),  # the packet as JSON
    sa.Index("ix_handoffs_status", "status", "created_at"),
    sa.Index("ix_handoffs_created_at", "created_at"),
    sa.Index("ix_handoffs_call_id", "call_id"),
)

flags = sa.Table(
    "flags", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("creditor", sa.String(64), nullable=False),
    sa.Column("account", sa.String(64), nullable=False),
    # dispute, cease_contact, attorney, bankruptcy, vulnerability
    sa.Column("flag", sa.String(32), nullable=False),
    sa.Column("set_at", UTC_TIME, nullable=False),
    sa.Column("call_id", sa.String(64)),
    sa.Column("detail", sa.Text, nullable=False, default=""),  # redacted caller words
    sa.Column("cleared_at", UTC_TIME),
    sa.Column("cleared_by", sa.String(64)),
    sa.Index("ix_flags_account", "creditor", "account"),
)

contacts = sa.Table(
    "contacts", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("creditor", sa.String(64), nullable=False),
    sa.Column("account", sa.String(64), nullable=False),
    sa.Column("at", UTC_TIME, nullable=False),
    sa.Column("direction", sa.String(8), nullable=False),  # inbound or outbound
    # attempt (a call placed or received), conversation (the debtor spoke with us)
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("call_id", sa.String(64)),
    sa.Column("detail", sa.Text, nullable=False, default=""),
    sa.Index("ix_contacts_account", "creditor", "account", "at"),
)
