"""ORM tables. Repositories turn rows into plain records; nothing else sees these classes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .types import EncryptedBytes, EncryptedText, Secret, SecretBytes, UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Code columns of ``signals``: SignalDraft.codes keys with these names are stored.
CODE_COLUMNS: tuple[str, ...] = (
    "danger",
    "role",
    "age_group",
    "awareness",
    "person_reach",
    "callback",
    "checkin",
    "reach",
    "contact_language",
)
MULTI_COLUMNS: tuple[str, ...] = ("observations", "help_wanted")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Reporter(Base):
    __tablename__ = "reporters"
    __table_args__ = (UniqueConstraint("channel", "user_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    # The chat id (a phone number on WhatsApp) is personal data: stored encrypted, and
    # found by its keyed hash (``Keyring.index``), which is also the row key of the token.
    user_key: Mapped[str] = mapped_column(String(64))
    channel_user_id: Mapped[Secret] = mapped_column(EncryptedText("reporters.channel_user_id"))
    language: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When the reporter last wrote to us: WhatsApp allows free-form messages only within
    # 24 hours of it (after that, pre-approved templates).
    last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Conversation(Base):
    __tablename__ = "conversations"

    reporter_id: Mapped[int] = mapped_column(
        ForeignKey("reporters.id", ondelete="CASCADE"), primary_key=True
    )
    # A draft holds everything typed so far: encrypted JSON, bound to the reporter id.
    state: Mapped[Secret] = mapped_column(EncryptedText("conversations.state"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Signal(Base):
    __tablename__ = "signals"
    __table_args__ = (
        Index("ix_signals_status", "status"),
        Index("ix_signals_created_at", "created_at"),
        Index("ix_signals_area", "area"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="new")
    urgent: Mapped[bool] = mapped_column(Boolean)
    language: Mapped[str] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(20))
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("reporters.id", ondelete="SET NULL"), nullable=True
    )
    partner: Mapped[str | None] = mapped_column(String(64))
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL"), nullable=True
    )
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # When the current status began (the last lifecycle event): deadlines count from it.
    status_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The last referral target and closing outcome (also in the events), for the figures.
    referred_to: Mapped[str | None] = mapped_column(String(32))
    outcome: Mapped[str | None] = mapped_column(String(32))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The earliest "claim" and "contact" events (also in the events; set with them by
    # ``SignalsRepository.add_event``), so the figures need not join a year of events.
    first_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    first_contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    danger: Mapped[str | None] = mapped_column(String(32))
    role: Mapped[str | None] = mapped_column(String(32))
    age_group: Mapped[str | None] = mapped_column(String(32))
    awareness: Mapped[str | None] = mapped_column(String(32))
    person_reach: Mapped[str | None] = mapped_column(String(32))
    callback: Mapped[str | None] = mapped_column(String(32))
    checkin: Mapped[str | None] = mapped_column(String(32))
    reach: Mapped[str | None] = mapped_column(String(32))
    contact_language: Mapped[str | None] = mapped_column(String(32))

    observations: Mapped[list[str]] = mapped_column(JSON, default=list)
    help_wanted: Mapped[list[str]] = mapped_column(JSON, default=list)

    # The full postcode points at a handful of addresses: encrypted, and erased with the
    # person's details; its four digits stay for the figures per area.
    postcode: Mapped[Secret | None] = mapped_column(EncryptedText("signals.postcode"))
    postcode4: Mapped[str | None] = mapped_column(String(4))
    area: Mapped[str | None] = mapped_column(String(64))

    # Personal fields, encrypted and bound to the reference; erased by the retention job.
    person_contact: Mapped[Secret | None] = mapped_column(EncryptedText("signals.person_contact"))
    note: Mapped[Secret | None] = mapped_column(EncryptedText("signals.note"))
    # The language the reporter typed after "another language" (free text).
    language_other: Mapped[Secret | None] = mapped_column(
        EncryptedText("signals.language_other"), nullable=True
    )
    reporter_name: Mapped[Secret | None] = mapped_column(EncryptedText("signals.reporter_name"))
    reporter_phone: Mapped[Secret | None] = mapped_column(EncryptedText("signals.reporter_phone"))
    # A web reporter's address for notices (``storage.reporter_mail``): erased with the phone.
    reporter_email: Mapped[Secret | None] = mapped_column(EncryptedText("signals.reporter_email"))
    # When the personal fields were erased (retention or the reporter's request).
    person_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reporter_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class SignalEvent(Base):
    __tablename__ = "signal_events"
    __table_args__ = (Index("ix_signal_events_signal_id", "signal_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signals.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    # The action's option (referral target, outcome code) or a check-in answer.
    detail: Mapped[str | None] = mapped_column(String(32))
    # A question to the reporter or their answer: encrypted, bound to the event id.
    note: Mapped[Secret | None] = mapped_column(EncryptedText("signal_events.note"))


class SearchKey(Base):
    """A keyed hash (``Keyring.index``) of a phone number or full postcode in a signal, so
    staff can find the signal by it without anything being decrypted. ``whose`` says which
    erasure takes it: "reporter" (their phone, with the reporter's details) or "person"
    (the person's phone and postcode, with the person's details)."""

    __tablename__ = "search_keys"
    __table_args__ = (Index("ix_search_keys_key", "key"),)

    signal_id: Mapped[int] = mapped_column(
        ForeignKey("signals.id", ondelete="CASCADE"), primary_key=True
    )
    whose: Mapped[str] = mapped_column(String(10), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)


class VoiceNote(Base):
    """A voice note a reporter sent. The audio and its automatic transcript are personal
    data (the reporter's voice and words): encrypted, bound to the signal the note belongs
    to, or to the reporter while the report is not sent yet (``voice_row_key``); erased
    with the signal's free text. What is left after erasure (length, format, times) says
    nothing about anyone.

    The transcript is durable work: a note of a sent signal waits as "pending" and is
    claimed by one instance at a time (``leased_until``), so a restart loses nothing."""

    __tablename__ = "voice_notes"
    __table_args__ = (
        Index("ix_voice_notes_signal_id", "signal_id"),
        Index("ix_voice_notes_reporter_id", "reporter_id"),
        Index("ix_voice_notes_transcript_status", "transcript_status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    signal_id: Mapped[int | None] = mapped_column(
        ForeignKey("signals.id", ondelete="CASCADE"), nullable=True
    )
    # Set while the report is a draft; cleared when the note goes with the signal.
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("reporters.id", ondelete="CASCADE"), nullable=True
    )
    # The question the note answers (a step id), or None: kept with the report.
    step: Mapped[str | None] = mapped_column(String(32), nullable=True)
    mime_type: Mapped[str] = mapped_column(String(32))
    seconds: Mapped[float] = mapped_column(Float)
    size_bytes: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    audio: Mapped[SecretBytes | None] = mapped_column(
        EncryptedBytes("voice_notes.audio"), nullable=True
    )
    # The language the transcript is made in (the signal's), and how far it got.
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    transcript_status: Mapped[str] = mapped_column(String(10), default="waiting")
    transcript: Mapped[Secret | None] = mapped_column(
        EncryptedText("voice_notes.transcript"), nullable=True
    )
    transcript_detail: Mapped[str | None] = mapped_column(String(32), nullable=True)
    transcript_attempts: Mapped[int] = mapped_column(Integer, default=0)
    transcript_model: Mapped[str | None] = mapped_column(String(64), nullable=True)
    transcribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


def voice_row_key(note_id: int, signal_id: int | None, reporter_id: int | None) -> str:
    """What a voice note's audio and transcript are bound to: its signal, or while the
    report is a draft, its reporter (a token moved to another note or signal does not
    open)."""
    if signal_id is not None:
        return f"signal:{signal_id}:{note_id}"
    return f"reporter:{reporter_id}:{note_id}"


class CheckInClaim(Base):
    """A check-in (or digest) that was claimed for sending. The primary key is the claim:
    of two instances inserting the same key, one wins, so nothing is sent twice; and it is
    inserted in the transaction that queues the message, so a crash loses nothing."""

    __tablename__ = "checkins"
    __table_args__ = (Index("ix_checkins_signal_id", "signal_id"),)

    key: Mapped[str] = mapped_column(String(96), primary_key=True)
    signal_id: Mapped[int | None] = mapped_column(
        ForeignKey("signals.id", ondelete="CASCADE"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
        # A WhatsApp status update or a reply names the message by where it landed.
        Index("ix_outbox_delivered_ref", "delivered_ref"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    signal_id: Mapped[int | None] = mapped_column(
        ForeignKey("signals.id", ondelete="CASCADE"), nullable=True
    )
    target: Mapped[str] = mapped_column(String(32))
    # Ids only (staff id, failed item id): the text is composed when sending, from the
    # current state of the signal, so no personal data is copied into the queue.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Where the message landed ("chat:message"), so a later edit can find it.
    delivered_ref: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    # Claimed for delivery by one instance until then (a crashed instance's claim expires).
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class InboundMessage(Base):
    __tablename__ = "inbound_messages"

    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InboxMessage(Base):
    """A received message waiting to be processed. The webhook stores it and answers at
    once; the inbox worker processes it (recording it in ``inbound_messages`` in the same
    transaction) and deletes it. A crash in between loses nothing and repeats nothing."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("channel", "message_id"),
        Index("ix_inbox_sender_key", "sender_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    message_id: Mapped[str] = mapped_column(String(128))
    # Who wrote and what: encrypted JSON, bound to channel and message id; the keyed
    # hash of the sender keeps each sender's messages in order across instances.
    sender_key: Mapped[str] = mapped_column(String(64))
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sender: Mapped[Secret] = mapped_column(EncryptedText("inbox.sender"))
    payload: Mapped[Secret] = mapped_column(EncryptedText("inbox.payload"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ReferenceCounter(Base):
    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Staff(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    display_name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The dashboard login (``signaalpunt staff add-web``): a name and an Argon2id hash.
    username: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)


class StaffTelegramAccount(Base):
    """A staff member's Telegram account: the Telegram channel's own record (nothing else
    knows Telegram user ids). A staff member has at most one; a Telegram user is at most
    one staff member."""

    __tablename__ = "staff_telegram_accounts"

    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True
    )
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StaffEmailAccount(Base):
    """The work address a staff member chose to be notified at: the mail channel's own
    record. Encrypted like every personal field; found by its keyed hash (``address_key``),
    so an address is one staff member's at most."""

    __tablename__ = "staff_email_accounts"

    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True
    )
    address_key: Mapped[str] = mapped_column(String(64), unique=True)
    address: Mapped[Secret] = mapped_column(EncryptedText("staff_email_accounts.address"))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StaffSession(Base):
    """A staff member logged in to the dashboard. The cookie holds a random token; only its
    hash is stored, so a copy of the database logs nobody in."""

    __tablename__ = "staff_sessions"
    __table_args__ = (Index("ix_staff_sessions_staff_id", "staff_id"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    # The form token of this session (CSRF): sent with every form, compared on every POST.
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # A session begun by single sign-on keeps the provider's ID token as the hint its
    # logout asks for (it names the person: encrypted, bound to the session).
    id_token_hint: Mapped[Secret | None] = mapped_column(
        EncryptedText("staff_sessions.id_token_hint"), nullable=True
    )


class StaffSsoAccount(Base):
    """A staff member's identity at the municipality's identity provider: the sign-on
    account book. ``account`` is the issuer and the subject (``issuer#subject``: a subject is
    unique only within its issuer). ``revoked_by_provider``: the staff member was
    deactivated because the provider no longer gave them a mapped group (a sign-in with the
    group again makes them active; a revocation by an administrator stays)."""

    __tablename__ = "staff_sso_accounts"

    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True
    )
    account: Mapped[str] = mapped_column(String(600), unique=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_by_provider: Mapped[bool] = mapped_column(Boolean, default=False)


class SsoLogin(Base):
    """A sign-on begun and not yet come back (``bot.sso.logins``), shared by every
    instance; taken at most once, gone after ten minutes."""

    __tablename__ = "sso_logins"

    state: Mapped[str] = mapped_column(String(128), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(128))
    code_verifier: Mapped[str] = mapped_column(String(128))
    browser_hash: Mapped[str] = mapped_column(String(64))
    return_to: Mapped[str] = mapped_column(String(512))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class WebChat(Base):
    """A resident's web chat. The cookie holds a random token, found by its hash;
    ``user_id`` (random, unrelated to the token) is the reporter's id on the "web"
    channel, so messages from the loket reach this transcript. The transcript holds what
    the resident typed: encrypted, bound to ``user_id``."""

    __tablename__ = "web_chats"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64), unique=True)
    transcript: Mapped[Secret] = mapped_column(EncryptedText("web_chats.transcript"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Kept at least until then although the resident is away: a check-in or a message of
    # the loket waits in it (``storage.reporter_mail``).
    kept_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The signal whose e-mail question the page shows until it is answered or skipped.
    mail_offer: Mapped[int | None] = mapped_column(Integer, nullable=True)


class WebChatLink(Base):
    """A link in a notice mail that opens one web chat once: the database keeps only the
    SHA-256 of its token. Goes with the chat."""

    __tablename__ = "web_chat_links"
    __table_args__ = (Index("ix_web_chat_links_user_id", "user_id"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class StaffInvite(Base):
    __tablename__ = "staff_invites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    used_by: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL"), nullable=True
    )


class Partner(Base):
    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Filled in when a report starts from the partner's link (shown, and changeable, in
    # the summary): a role choice id ("shop"), and a neighbourhood id or a postcode.
    role: Mapped[str | None] = mapped_column(String(32), nullable=True)
    area: Mapped[str | None] = mapped_column(String(64), nullable=True)
    postcode: Mapped[str | None] = mapped_column(String(7), nullable=True)
    # A partner that no longer takes part: its links no longer attribute new signals, its
    # signals keep counting for it in the figures of the time it took part.
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


# The width of an audit entry's action (an action id, a view, a play): what is attempted
# with anything longer is recorded as unknown (storage/audit.py).
AUDIT_ACTION_WIDTH = 32


class AuditEntry(Base):
    """Append-only access history: who did or tried what, to which signal. Never content."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_signal_id", "signal_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(AUDIT_ACTION_WIDTH))
    signal_id: Mapped[int | None] = mapped_column(
        ForeignKey("signals.id", ondelete="SET NULL"), nullable=True
    )
    outcome: Mapped[str] = mapped_column(String(32))


class ChatKeyboard(Base):
    """The last message with live buttons in a chat, so it can be disabled once answered."""

    __tablename__ = "chat_keyboards"

    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    # The keyed hash of the chat id: the chat is known whenever this row is needed.
    chat_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64))


class ChatMigration(Base):
    """A Telegram group that became a supergroup, under a new chat id (Telegram answers a
    message to the old id with ``migrate_to_chat_id``). Kept so every instance, and every
    restart, sends to the new id; a group's id is no personal data."""

    __tablename__ = "chat_migrations"

    from_chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    to_chat_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Submission(Base):
    """A signal sent by a reporter, by the keyed hash of who sent it: the limit of signals
    per day counts these. No content; it outlives a reporter's erasure on purpose (erasing
    must not reset the limit) and is deleted by the retention job after two days."""

    __tablename__ = "submissions"
    __table_args__ = (Index("ix_submissions_reporter_key_at", "reporter_key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reporter_key: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class AccessAttempt(Base):
    """An attempt to redeem an invite code or log in, by the keyed hash of who tried:
    failures in a window lock the subject out (guessing)."""

    __tablename__ = "access_attempts"
    __table_args__ = (Index("ix_access_attempts_kind_subject_at", "kind", "subject", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    succeeded: Mapped[bool] = mapped_column(Boolean)


class RetentionRun(Base):
    """One run of the retention job: when, and how many of each kind it erased. Counts
    only, never what was erased."""

    __tablename__ = "retention_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    counts: Mapped[dict[str, int]] = mapped_column(JSON)


# The access history is append-only in the database itself, not only by convention: an
# UPDATE or DELETE on audit_log fails, whoever sends it. (Signals are never deleted, so the
# foreign key's SET NULL never fires.)
_APPEND_ONLY_SQLITE = [
    DDL(  # type: ignore[no-untyped-call]
        f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
    ).execute_if(dialect="sqlite")
    for verb in ("UPDATE", "DELETE")
]
_APPEND_ONLY_POSTGRESQL = [
    DDL(  # type: ignore[no-untyped-call]
        "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION 'audit_log is append-only'; END $$"
    ).execute_if(dialect="postgresql"),
    DDL(  # type: ignore[no-untyped-call]
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
        "ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
    ).execute_if(dialect="postgresql"),
]
for _statement in (*_APPEND_ONLY_SQLITE, *_APPEND_ONLY_POSTGRESQL):
    event.listen(AuditEntry.__table__, "after_create", _statement)
