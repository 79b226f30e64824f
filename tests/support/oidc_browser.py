"""A person signing in at the test provider, driven over HTTP like a browser: it follows
redirects, keeps cookies and fills in the provider's login and consent forms."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx

_FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*method="post"[^>]*>(.*?)</form>', re.S)
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"\s*/?>')


class ProviderPageError(AssertionError):
    pass


async def sign_in(
    browser: httpx.AsyncClient, start_url: str, redirect_url: str, login: str
) -> dict[str, str]:
    """Signs in as ``login`` (and consents) from ``start_url``; the query the provider
    sends the browser back to ``redirect_url`` with."""
    url, method, data = start_url, "GET", None
    for _ in range(12):
        response = await browser.request(method, url, data=data)
        method, data = "GET", None
        if response.is_redirect:
            url = urljoin(url, response.headers["location"])
            if url.startswith(redirect_url):
                return dict(parse_qsl(urlsplit(url).query))
            continue
        if response.status_code != 200:
            raise ProviderPageError(f"{response.status_code} at {url}: {response.text[:300]}")
        found = _FORM.search(response.text)
        if found is None:
            raise ProviderPageError(f"no form at {url}: {response.text[:300]}")
        action, inner = found.groups()
        fields = {name: html.unescape(value) for name, value in _HIDDEN.findall(inner)}
        if fields.get("prompt") == "login":
            fields.update(login=login, password="any password: the dev login takes any")
        url, method, data = urljoin(url, html.unescape(action)), "POST", fields
    raise ProviderPageError("the provider kept redirecting")
