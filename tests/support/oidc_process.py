"""Running the test OpenID Connect provider (tests/support/oidc_provider/provider.mjs: panva's
oidc-provider on Node.js) on loopback, behind a reverse proxy that the tests can tell to
swap the ID token in a token response (what a man in the middle, or a provider's bug,
would do). Everything else passes through untouched, so the issuer is the proxy's URL.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import socket
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
import uvicorn
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc_provider"
SCRIPT = PROVIDER_DIR / "provider.mjs"
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "content-encoding",
    "upgrade",
}

CLIENT_ID = "signaalpunt"
CLIENT_SECRET = "a client secret: with / and + in it"
OTHER_CLIENT_ID = "another-app"
GROUPS = {"loket": "GRP-Loket", "regisseur": "GRP-Regie", "admin": "GRP-Admin"}
ACCOUNTS: dict[str, dict[str, Any]] = {
    "anna": {
        "name": "Anna de Vries",
        "email": "anna@terneuzen.test",
        "email_verified": True,
        "groups": ["GRP-Loket", "GRP-Iedereen"],
    },
    "rick": {
        "name": "Rick Regie",
        "email": "rick@terneuzen.test",
        "groups": ["GRP-Loket", "GRP-Regie"],
    },
    "bert": {"name": "Bert Buiten", "email": "bert@terneuzen.test", "groups": ["GRP-Iedereen"]},
}


def signing_key(kid: str) -> dict[str, Any]:
    """A private RSA signing key as a JWK (what the provider signs with)."""
    key = RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS256", "use": "sig"})
    return dict(key.as_dict(private=True))


def listening_socket(port: int = 0) -> socket.socket:
    """A listening socket on ``port`` (0: any free one); SO_REUSEADDR, so a provider can
    come back on the port a stopped one used."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(64)
    return sock


def no_cookies() -> CookieJar:
    """A jar that keeps nothing: the proxy passes each browser's cookies through, and a jar
    of its own would hand the provider's session of one browser to every other."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


@dataclass
class Proxy:
    """Swaps the id_token of the next token responses for ``replacements`` (one each)."""

    upstream: str
    replacements: list[Callable[[str], str]] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)  # every id_token that came by

    def app(self, http: httpx.AsyncClient) -> Starlette:
        async def forward(request: Request) -> Response:
            headers = [(k, v) for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP]
            url = self.upstream + request.url.path
            if request.url.query:
                url += "?" + request.url.query
            answer = await http.request(
                request.method, url, headers=headers, content=await request.body()
            )
            content = answer.content
            if request.url.path.endswith("/token") and answer.status_code == 200:
                content = self._swap(content)
            response = Response(content, status_code=answer.status_code)
            response.raw_headers = [
                (k.encode("latin-1"), v.encode("latin-1"))
                for k, v in answer.headers.multi_items()
                if k.lower() not in HOP_BY_HOP
            ] + [(b"content-length", str(len(content)).encode())]
            return response

        methods = ["GET", "POST"]
        return Starlette(routes=[Route("/{path:path}", forward, methods=methods)])

    def _swap(self, content: bytes) -> bytes:
        body = json.loads(content)
        self.seen.append(body["id_token"])
        if not self.replacements:
            return content
        body["id_token"] = self.replacements.pop(0)(body["id_token"])
        return json.dumps(body).encode()


@dataclass
class RunningProvider:
    issuer: str
    proxy: Proxy
    keys: list[dict[str, Any]]
    config_file: Path

    def set_groups(self, login: str, groups: list[str]) -> None:
        """The person's groups from now on (the provider reads its accounts at each
        sign-in, as a directory would)."""
        config = json.loads(self.config_file.read_text(encoding="utf-8"))
        config["accounts"][login]["groups"] = groups
        self.config_file.write_text(json.dumps(config), encoding="utf-8")


def provider_config(
    issuer: str,
    port: int,
    keys: Sequence[dict[str, Any]],
    redirect_url: str,
    *,
    conform_id_token_claims: bool = False,
    id_token_ttl: int = 3600,
) -> dict[str, Any]:
    return {
        "issuer": issuer,
        "port": port,
        "jwks": {"keys": list(keys)},
        "cookieKey": "cookie signing key for the test provider only",
        "conformIdTokenClaims": conform_id_token_claims,
        "idTokenTtl": id_token_ttl,
        "accounts": ACCOUNTS,
        "clients": [
            {
                "client_id": client_id,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [redirect_url],
                "post_logout_redirect_uris": [
                    redirect_url.rsplit("/", 1)[0] + "/",
                    redirect_url.split("/loket/", 1)[0] + "/loket/login",  # the dashboard's
                ],
                "token_endpoint_auth_method": "client_secret_basic",
                "grant_types": ["authorization_code"],
                "response_types": ["code"],
            }
            for client_id in (CLIENT_ID, OTHER_CLIENT_ID)
        ],
    }


def _prepare(config: dict[str, Any], config_file: Path) -> IO[bytes]:
    """Writes the provider's configuration; its log file, open for the process."""
    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text(json.dumps(config), encoding="utf-8")
    return config_file.with_suffix(".log").open("wb")


@contextlib.asynccontextmanager
async def node_provider(config: dict[str, Any], config_file: Path) -> AsyncIterator[None]:
    """The provider process with ``config`` until the block ends."""
    node = shutil.which("node")
    if node is None or not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        pytest.fail(
            "the test OpenID provider needs Node.js and tests/support/oidc_provider/node_modules "
            "(make oidc-provider, which make test runs)",
            pytrace=False,
        )
    log = _prepare(config, config_file)
    process = await asyncio.create_subprocess_exec(
        node, str(SCRIPT), str(config_file), stdout=asyncio.subprocess.PIPE, stderr=log
    )
    try:
        assert process.stdout is not None
        line = await asyncio.wait_for(process.stdout.readline(), timeout=30)
        if not line:
            await process.wait()
            log.flush()
            errors = config_file.with_suffix(".log").read_text(errors="replace")
            pytest.fail(f"the test OpenID provider did not start:\n{errors}", pytrace=False)
        assert json.loads(line)["ready"] is True
        yield
    finally:
        if process.returncode is None:
            process.terminate()
            await process.wait()
        log.close()


@contextlib.asynccontextmanager
async def oidc_provider(
    tmp_path: Path,
    redirect_url: str,
    *,
    keys: Sequence[dict[str, Any]] | None = None,
    proxy_port: int = 0,
    issuer: str | None = None,
    conform_id_token_claims: bool = False,
    id_token_ttl: int = 3600,
) -> AsyncIterator[RunningProvider]:
    """The provider behind its proxy; the issuer is the proxy's URL (or ``issuer``, for a
    provider that calls itself something else)."""
    sock = listening_socket(proxy_port)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        node_port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    keys = list(keys) if keys is not None else [signing_key("key-1")]
    config = provider_config(
        issuer or base,
        node_port,
        keys,
        redirect_url,
        conform_id_token_claims=conform_id_token_claims,
        id_token_ttl=id_token_ttl,
    )
    config_file = tmp_path / f"provider-{node_port}.json"
    proxy = Proxy(f"http://127.0.0.1:{node_port}")
    try:
        async with (
            node_provider(config, config_file),
            httpx.AsyncClient(timeout=10, cookies=no_cookies()) as upstream,
        ):
            server = uvicorn.Server(
                uvicorn.Config(proxy.app(upstream), log_config=None, lifespan="off")
            )
            task = asyncio.create_task(server.serve(sockets=[sock]))
            try:  # the socket listens already: requests wait in its backlog until uvicorn runs
                yield RunningProvider(issuer or base, proxy, keys, config_file)
            finally:
                server.should_exit = True
                await task
    finally:
        sock.close()
