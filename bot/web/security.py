"""Security headers and the form token (CSRF) checks shared by every page.

The pages load nothing from elsewhere and run no inline script or style, so the policy
can forbid both: an injected ``<script>`` would not run even if escaping failed.
"""

from __future__ import annotations

import hmac
import secrets

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)


def page_headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        # Pages show personal data or a conversation: never kept by a browser or proxy.
        "Cache-Control": "no-store",
    }


def new_token() -> str:
    return secrets.token_urlsafe(32)


def same_token(sent: str | None, expected: str) -> bool:
    """Constant-time comparison of a form token."""
    return sent is not None and hmac.compare_digest(sent.encode(), expected.encode())
