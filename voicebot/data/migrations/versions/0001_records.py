"""The first schema: calls, turns, disclosures, decisions, arrangements, hand-offs,
compliance flags and the contact ledger.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "calls",
        sa.Column("id", sa.String(64), nullable=False),
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
        sa.Column("policy_hash", sa.String(64)),
        sa.Column("instance", sa.String(64)),
        sa.Column("outcome", sa.JSON),
        sa.PrimaryKeyConstraint("id", name="pk_calls"),
    )
    op.create_index("ix_calls_started_at", "calls", ["started_at"])
    op.create_index("ix_calls_account", "calls", ["creditor", "account"])
    op.create_table(
        "turns",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("speaker", sa.String(8), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("at_seconds", sa.Float, nullable=False),
        sa.Column("interrupted", sa.Boolean, nullable=False),
        sa.Column("via", sa.String(16), nullable=False),
        sa.Column("timings", sa.JSON),
        sa.PrimaryKeyConstraint("id", name="pk_turns"),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], ondelete="CASCADE",
                                name="fk_turns_call_id_calls"),
        sa.UniqueConstraint("call_id", "seq", name="uq_turns_call_seq"),
    )
    op.create_table(
        "disclosures",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("mark", sa.String(128)),
        sa.Column("started_at", UTC_TIME, nullable=False),
        sa.Column("played_at", UTC_TIME),
        sa.PrimaryKeyConstraint("id", name="pk_disclosures"),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], ondelete="CASCADE",
                                name="fk_disclosures_call_id_calls"),
    )
    op.create_index("ix_disclosures_call", "disclosures", ["call_id"])
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("at_seconds", sa.Float, nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_decisions"),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], ondelete="CASCADE",
                                name="fk_decisions_call_id_calls"),
    )
    op.create_index("ix_decisions_call", "decisions", ["call_id"])
    op.create_table(
        "arrangements",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("creditor", sa.String(64), nullable=False),
        sa.Column("account", sa.String(64)),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("total", sa.String(32), nullable=False),
        sa.Column("schedule", sa.JSON, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("policy_version", sa.String(64)),
        sa.Column("policy_hash", sa.String(64)),
        sa.Column("readback", sa.Text, nullable=False),
        sa.Column("readback_finished_at", UTC_TIME),
        sa.Column("consent_words", sa.Text, nullable=False),
        sa.Column("agreed_at", UTC_TIME, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_arrangements"),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], name="fk_arrangements_call_id_calls"),
    )
    op.create_index("ix_arrangements_account", "arrangements", ["creditor", "account"])
    op.create_index("ix_arrangements_agreed_at", "arrangements", ["agreed_at"])
    op.create_table(
        "handoffs",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("call_id", sa.String(64), nullable=False),
        sa.Column("packet", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_handoffs"),
    )
    op.create_index("ix_handoffs_status", "handoffs", ["status", "created_at"])
    op.create_index("ix_handoffs_created_at", "handoffs", ["created_at"])
    op.create_index("ix_handoffs_call_id", "handoffs", ["call_id"])
    op.create_table(
        "flags",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("creditor", sa.String(64), nullable=False),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("flag", sa.String(32), nullable=False),
        sa.Column("set_at", UTC_TIME, nullable=False),
        sa.Column("call_id", sa.String(64)),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("cleared_at", UTC_TIME),
        sa.Column("cleared_by", sa.String(64)),
        sa.PrimaryKeyConstraint("id", name="pk_flags"),
    )
    op.create_index("ix_flags_account", "flags", ["creditor", "account"])
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("creditor", sa.String(64), nullable=False),
        sa.Column("account", sa.String(64), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("call_id", sa.String(64)),
        sa.Column("detail", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_contacts"),
    )
    op.create_index("ix_contacts_account", "contacts", ["creditor", "account", "at"])


def downgrade() -> None:
    for table in ("contacts", "flags", "handoffs", "arrangements", "decisions",
                  "disclosures", "turns", "calls"):
        op.drop_table(table)
