"""Configuration from the environment (prefix SIGNAALPUNT_) or a .env file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Literal

import holidays
from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.mail.settings import MailSettings
from bot.sso.settings import OidcSettings
from core.dialog.areas import AreaMap, AreaTableError, parse_area_table
from core.dialog.model import Place
from core.followup.rules import FollowUpRules
from core.text.languages import DEFAULT_LANGUAGE

# Terneuzen's kernen; a municipality sets its own list.
DEFAULT_NEIGHBOURHOODS = (
    "Terneuzen-Centrum,Terneuzen-Noord,Terneuzen-Zuid,Axel,Sas van Gent,Sluiskil,"
    "Zaamslag,Hoek,Westdorpe,Philippine"
)


@dataclass(frozen=True)
class RetentionPeriods:
    reporter_contact: timedelta = timedelta(days=30)
    person_details: timedelta = timedelta(days=365)
    drafts: timedelta = timedelta(days=7)
    update_ids: timedelta = timedelta(days=14)


class Settings(BaseSettings, MailSettings, OidcSettings):
    model_config = SettingsConfigDict(env_prefix="SIGNAALPUNT_", env_file=".env", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///var/signaalpunt.db"
    # Apply the schema migrations when the service starts; off where a release step runs
    # `signaalpunt db upgrade` first (the service then refuses an unmigrated database).
    migrate_on_start: bool = True
    default_language: str = DEFAULT_LANGUAGE
    neighbourhoods: Annotated[str, NoDecode] = Field(default=DEFAULT_NEIGHBOURHOODS)
    outbox_batch: int = 50

    # Telegram: a token enables the channel. The API URL lets a municipality use a
    # self-hosted Bot API server (and tests a local fake).
    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    # Where bots download files (voice notes): the URL the bot token and a file's path are
    # appended to. A self-hosted Bot API server (SIGNAALPUNT_TELEGRAM_API_URL) needs its own.
    telegram_file_url: str = "https://api.telegram.org/file/bot"
    loket_chat_id: int | None = None
    telegram_mode: Literal["polling", "webhook"] = "polling"
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    # Telegram limits calls per bot token (30 a second, 20 a minute per group): with several
    # instances sharing the token, each paces itself to its share.
    telegram_instances: int = Field(default=1, ge=1, le=30)
    # A tap's answer and the next question are edited into the pressed message: two Bot
    # API calls a tap instead of three (ADR 0111). Off: each question a new message.
    telegram_answers_in_place: bool = True

    # WhatsApp Cloud API: a phone number id enables the channel (see docs/whatsapp.md).
    whatsapp_phone_id: str | None = None
    whatsapp_token: SecretStr | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_api_version: str = "23.0"
    whatsapp_api_url: str = "https://graph.facebook.com"
    whatsapp_checkin_template: str = "signaalpunt_checkin"
    whatsapp_question_template: str = "signaalpunt_question"

    # Follow-up: office hours, deadlines and check-ins (see docs/follow-up.md).
    office_opens: time = time(9, 0)
    office_closes: time = time(17, 0)
    holidays_country: str = "NL"
    # Holidays on which the loket is open anyway, by the holidays package's English name.
    office_open_on: Annotated[str, NoDecode] = ""
    claim_working_days: int = Field(default=1, ge=1)
    urgent_claim_hours: float = Field(default=2.0, gt=0)
    contact_working_days: int = Field(default=3, ge=1)
    referral_check_days: int = Field(default=14, ge=1)
    reporter_checkin_days: int = Field(default=14, ge=1)
    reporter_wait_days: int = Field(default=5, ge=1)
    digest_time: time = time(8, 30)
    sweep_seconds: float = Field(default=60.0, gt=0)

    # Encryption of personal fields (see docs/privacy.md): keys from the environment, or a
    # key file (created for a SQLite development setup).
    encryption_keys: SecretStr | None = None
    index_key: SecretStr | None = None
    key_file: Path = Path("var/keys.json")

    # Retention (see docs/privacy.md for the reasons behind each period).
    retain_reporter_contact_days: int = Field(default=30, ge=1)
    retain_person_details_days: int = Field(default=365, ge=30)
    retain_draft_days: int = Field(default=7, ge=1)
    retain_update_ids_days: int = Field(default=14, ge=1)
    retention_time: time = time(3, 15)

    # Abuse limits per reporter, and guessing limits for invite codes and logins.
    max_signals_per_day: int = Field(default=3, ge=1)
    max_messages_per_minute: int = Field(default=30, ge=5)
    max_failed_codes: int = Field(default=5, ge=1)
    lockout_minutes: int = Field(default=60, ge=1)

    # The HTTP server: webhooks, the web chat (/chat) and the loket dashboard (/loket).
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    # Cookies only over HTTPS: on wherever the service is behind TLS (off for localhost).
    web_secure_cookies: bool = False
    # A dashboard session ends after this long without a request, and after a working day.
    web_session_idle_minutes: int = Field(default=60, ge=5, le=1440)
    web_session_max_hours: int = Field(default=10, ge=1, le=24)
    # Failed dashboard logins per username before it is locked for ``lockout_minutes``.
    max_failed_logins: int = Field(default=5, ge=1)
    # Dashboard password checks (Argon2id: 64 MiB and tens of milliseconds each) at once, how
    # many more may wait their turn, and how many logins one client may try a minute; past
    # these a login is answered "busy, try again" at once (bot/dashboard/login_gate.py).
    login_checks: int = Field(default=2, ge=1, le=64)
    login_waiting: int = Field(default=16, ge=0, le=1000)
    login_attempts_per_minute: int = Field(default=30, ge=1)
    # New web chats: per client an hour, and in all a day (each is kept for
    # ``retain_draft_days``); past these a resident is asked to try again later.
    web_chats_per_client_hour: int = Field(default=20, ge=1)
    web_chats_per_day: int = Field(default=2000, ge=1)
    # The addresses of reverse proxies whose X-Forwarded-For names the client (the per-client
    # limits count that address): comma-separated addresses or networks, "*" for any peer
    # (only where nothing but the proxy reaches the service).
    forwarded_allow_ips: str = "127.0.0.1"
    # Seconds a client may take to send a whole request (headers and body): slow clients
    # (slowloris) are cut off instead of holding a connection open.
    http_read_timeout: float = Field(default=15.0, gt=0, le=300)

    # Links to give partners (the dashboard's partners page and posters): the address the
    # web chat is reached at from outside, e.g. https://signaalpunt.terneuzen.nl (default:
    # http://<http_host>:<http_port>); the bot's Telegram username (for t.me deep links);
    # the WhatsApp number reporters write to, in international digits (for wa.me links).
    public_url: str | None = None
    telegram_bot_username: str | None = None
    whatsapp_display_number: str | None = None

    # The municipality's own look, on the chat, the login page, the dashboard and the
    # posters (docs/web.md): its name, logo (an SVG, PNG, JPEG or WebP file), telephone
    # number (told to residents who may not report more today), privacy statement, and
    # colours. The colours are CSS custom properties; ``theme_css`` is a stylesheet served
    # after ours, where a municipality's NL Design System tokens can set them.
    municipality_name: str | None = None
    municipality_logo: Path | None = None
    municipality_phone: str | None = None
    municipality_privacy_url: str | None = None
    brand_colour: str = "#0b5394"
    brand_colour_dark: str | None = None
    theme_css: Path | None = None
    # Which neighbourhood a postcode lies in (core/dialog/areas.py), so lists and figures
    # group typed postcodes with the neighbourhoods: "4530-4539=Terneuzen-Centrum,
    # 4571=Axel", here or one entry a line in a file.
    postcode_areas: Annotated[str, NoDecode] = ""
    postcode_areas_file: Path | None = None

    # Logs on stderr (see bot/logs.py): "json" in production, one object per line. The
    # level defaults to INFO for json and WARNING for text (the terminal chat).
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] | None = None

    @field_validator("log_format", "log_level", mode="before")
    @classmethod
    def _any_case(cls, value: object, info: ValidationInfo) -> object:
        if not isinstance(value, str):
            return value
        value = value.strip()
        if info.field_name == "log_level":
            return value.upper() or None  # set but empty: the format's default
        return value.lower()

    @field_validator("holidays_country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        code = value.strip().upper()
        if code not in holidays.list_supported_countries():
            raise ValueError(f"{value!r} is not a country code the holidays package knows")
        return code

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        url = (value or "").strip().rstrip("/")
        if not url:
            return None
        if not _PUBLIC_URL.fullmatch(url):
            raise ValueError(
                "SIGNAALPUNT_PUBLIC_URL is the address the web chat is reached at, like "
                "https://signaalpunt.example.nl (http or https, a host, optionally a path; "
                "no query)"
            )
        return url

    @field_validator("telegram_bot_username")
    @classmethod
    def _bot_username(cls, value: str | None) -> str | None:
        name = (value or "").strip().removeprefix("@")
        if not name:
            return None
        if not _BOT_USERNAME.fullmatch(name):
            raise ValueError(
                "SIGNAALPUNT_TELEGRAM_BOT_USERNAME is the bot's username without @: 5-32 "
                "letters, digits or _, ending in 'bot'"
            )
        return name

    @field_validator("whatsapp_display_number")
    @classmethod
    def _display_number(cls, value: str | None) -> str | None:
        number = re.sub(r"[\s\-().]", "", value or "").removeprefix("+")
        if number.startswith("00"):
            number = number[2:]
        if not number:
            return None
        if not _E164_DIGITS.fullmatch(number):
            raise ValueError(
                "SIGNAALPUNT_WHATSAPP_DISPLAY_NUMBER is the WhatsApp number in international "
                "form, digits only, e.g. 31612345678"
            )
        return number

    @field_validator("municipality_name")
    @classmethod
    def _municipality_name(cls, value: str | None) -> str | None:
        name = " ".join((value or "").split())
        if len(name) > 80 or not name.isprintable():
            raise ValueError("SIGNAALPUNT_MUNICIPALITY_NAME is a name of at most 80 characters")
        return name or None

    @field_validator("municipality_phone")
    @classmethod
    def _municipality_phone(cls, value: str | None) -> str | None:
        number = " ".join((value or "").split())
        if not number:
            return None
        digits = re.sub(r"\D", "", number)
        if not _PHONE_SHOWN.fullmatch(number) or not 5 <= len(digits) <= 15:
            raise ValueError(
                "SIGNAALPUNT_MUNICIPALITY_PHONE is the number residents call, as it should be "
                "shown: digits, spaces, + and -, like 14 0115 or +31 115 455 000"
            )
        return number

    @field_validator("municipality_privacy_url")
    @classmethod
    def _privacy_url(cls, value: str | None) -> str | None:
        url = (value or "").strip()
        if not url:
            return None
        if not _LINK.fullmatch(url):
            raise ValueError(
                "SIGNAALPUNT_MUNICIPALITY_PRIVACY_URL is the address of the privacy statement, "
                "like https://www.terneuzen.nl/privacy"
            )
        return url

    @field_validator("municipality_logo", "theme_css", "postcode_areas_file", mode="before")
    @classmethod
    def _unset_file(cls, value: object) -> object:
        """An empty setting (``SIGNAALPUNT_THEME_CSS=``) is no file."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("municipality_logo", "theme_css", "postcode_areas_file")
    @classmethod
    def _readable_file(cls, value: Path | None, info: ValidationInfo) -> Path | None:
        if value is None or not str(value).strip():
            return None
        name = f"SIGNAALPUNT_{(info.field_name or '').upper()}"
        kinds = _FILE_KINDS[info.field_name or ""]
        if value.suffix.lower() not in kinds[0]:
            raise ValueError(f"{name} must be a {' or '.join(sorted(kinds[0]))} file")
        if not value.is_file():
            raise ValueError(f"{name}: there is no file {value}")
        if value.stat().st_size > kinds[1]:
            raise ValueError(f"{name}: {value} is larger than {kinds[1] // 1024} KB")
        return value

    @field_validator("brand_colour", "brand_colour_dark")
    @classmethod
    def _colour(cls, value: str | None, info: ValidationInfo) -> str | None:
        colour = (value or "").strip().lower()
        if not colour and info.field_name == "brand_colour_dark":
            return None
        name = f"SIGNAALPUNT_{(info.field_name or '').upper()}"
        if not _COLOUR.fullmatch(colour):
            raise ValueError(f"{name} is a colour like #0b5394")
        if contrast_with_white(colour) < 4.5:
            raise ValueError(
                f"{name} {colour} is too light: white text on it (buttons) and it as text on "
                f"white (links) need a contrast of 4.5:1 (WCAG AA); it has "
                f"{contrast_with_white(colour):.1f}:1"
            )
        return colour

    @model_validator(mode="after")
    def _postcode_table(self) -> Settings:
        try:
            self.area_map()
        except AreaTableError as error:
            raise ValueError(f"SIGNAALPUNT_POSTCODE_AREAS: {error}") from None
        return self

    @model_validator(mode="after")
    def _office_hours(self) -> Settings:
        if self.office_opens >= self.office_closes:
            raise ValueError(
                "SIGNAALPUNT_OFFICE_OPENS must be earlier than SIGNAALPUNT_OFFICE_CLOSES"
            )
        return self

    @model_validator(mode="after")
    def _telegram_complete(self) -> Settings:
        if self.telegram_token is None:
            return self
        if self.loket_chat_id is None:
            raise ValueError(
                "SIGNAALPUNT_LOKET_CHAT_ID is required with SIGNAALPUNT_TELEGRAM_TOKEN: "
                "the id of the loket staff group (a negative number)"
            )
        if self.telegram_mode == "webhook":
            if not self.telegram_webhook_url:
                raise ValueError("webhook mode needs SIGNAALPUNT_TELEGRAM_WEBHOOK_URL")
            secret = self.telegram_webhook_secret
            if secret is None or not _WEBHOOK_SECRET.fullmatch(secret.get_secret_value()):
                raise ValueError(
                    "webhook mode needs SIGNAALPUNT_TELEGRAM_WEBHOOK_SECRET: 16-256 characters "
                    "of A-Z, a-z, 0-9, _ and -"
                )
        return self

    @model_validator(mode="after")
    def _mail_links(self) -> Settings:
        if self.smtp_url is not None and self.public_url is None:
            raise ValueError(
                "SIGNAALPUNT_PUBLIC_URL is required with SIGNAALPUNT_SMTP_URL: mails link to "
                "the signal in the dashboard, like https://signaalpunt.gemeente.nl"
            )
        return self

    @model_validator(mode="after")
    def _whatsapp_complete(self) -> Settings:
        if not self.whatsapp_phone_id:
            return self
        if not self.whatsapp_phone_id.isdigit():
            raise ValueError("SIGNAALPUNT_WHATSAPP_PHONE_ID is the number id Meta shows (digits)")
        for name in ("token", "app_secret", "verify_token"):
            secret = getattr(self, f"whatsapp_{name}")
            if secret is None or not secret.get_secret_value().strip():
                raise ValueError(
                    f"SIGNAALPUNT_WHATSAPP_{name.upper()} is required with "
                    "SIGNAALPUNT_WHATSAPP_PHONE_ID"
                )
        if not _API_VERSION.fullmatch(self.whatsapp_api_version):
            raise ValueError("SIGNAALPUNT_WHATSAPP_API_VERSION looks like 23.0")
        for name in ("checkin", "question"):
            if not _TEMPLATE_NAME.fullmatch(getattr(self, f"whatsapp_{name}_template")):
                raise ValueError(
                    f"SIGNAALPUNT_WHATSAPP_{name.upper()}_TEMPLATE: a template name is "
                    "lower-case letters, digits and _"
                )
        return self

    def followup_rules(self) -> FollowUpRules:
        return FollowUpRules(
            claim_days=self.claim_working_days,
            urgent_claim=timedelta(hours=self.urgent_claim_hours),
            contact_days=self.contact_working_days,
            referral_check=timedelta(days=self.referral_check_days),
            reporter_checkin=timedelta(days=self.reporter_checkin_days),
            reporter_wait=timedelta(days=self.reporter_wait_days),
        )

    def retention_periods(self) -> RetentionPeriods:
        return RetentionPeriods(
            reporter_contact=timedelta(days=self.retain_reporter_contact_days),
            person_details=timedelta(days=self.retain_person_details_days),
            drafts=timedelta(days=self.retain_draft_days),
            update_ids=timedelta(days=self.retain_update_ids_days),
        )

    def area_map(self) -> AreaMap:
        """The configured postcode table (setting and file together)."""
        text = self.postcode_areas
        if self.postcode_areas_file is not None:
            text += "\n" + self.postcode_areas_file.read_text(encoding="utf-8")
        return parse_area_table(text, self.places())

    def darker_brand_colour(self) -> str:
        """The dark brand colour: as set, or the brand colour mixed with a third black."""
        if self.brand_colour_dark:
            return self.brand_colour_dark
        channels = (int(self.brand_colour[i : i + 2], 16) for i in (1, 3, 5))
        return "#" + "".join(f"{round(c * 2 / 3):02x}" for c in channels)

    def places(self) -> tuple[Place, ...]:
        """The configured neighbourhoods with stable ids derived from their names."""
        names = [n.strip() for n in self.neighbourhoods.split(",") if n.strip()]
        return tuple(Place(_slug(name), name) for name in names)


_WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{16,256}")
_API_VERSION = re.compile(r"\d{1,3}\.\d")
_TEMPLATE_NAME = re.compile(r"[a-z0-9_]{1,512}")
_PUBLIC_URL = re.compile(r"https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~\-/]*)?")
_BOT_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{1,28}[Bb][Oo][Tt]")
_E164_DIGITS = re.compile(r"[1-9][0-9]{7,14}")
_PHONE_SHOWN = re.compile(r"\+?[0-9][0-9 \-]{3,20}[0-9]")
_LINK = re.compile(r"https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~\-/%?=&#+]*)?")
_COLOUR = re.compile(r"#[0-9a-f]{6}")
# Allowed suffixes and the largest size of each file setting.
_FILE_KINDS: dict[str, tuple[frozenset[str], int]] = {
    "municipality_logo": (frozenset({".svg", ".png", ".jpg", ".jpeg", ".webp"}), 512 * 1024),
    "theme_css": (frozenset({".css"}), 256 * 1024),
    "postcode_areas_file": (frozenset({".txt", ".csv"}), 256 * 1024),
}


def contrast_with_white(colour: str) -> float:
    """The WCAG 2.1 contrast ratio of ``#rrggbb`` against white."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


MAX_PLACE_ID = 40  # a place id travels in button payloads (Telegram: 64 bytes in all)


def _slug(name: str) -> str:
    slug = "-".join("".join(ch if ch.isalnum() else " " for ch in name.casefold()).split())
    while len(slug.encode()) > MAX_PLACE_ID:
        slug = slug[:-1]
    return slug.strip("-")
