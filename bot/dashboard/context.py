"""What every web page works with: the application, the clock, the templates, the login."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.web.templating import Pages

from ..app import App
from .auth import StaffAuth
from .flash import Flash

if TYPE_CHECKING:
    from .sign_on import SignOn


@dataclass(frozen=True)
class DashboardContext:
    app: App
    clock: Callable[[], datetime]
    pages: Pages
    auth: StaffAuth
    flash: Flash
    sign_on: SignOn | None = None  # single sign-on, when the settings name a provider
