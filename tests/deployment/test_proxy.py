"""The proxy, checked without Docker: deploy/nginx.conf.template (as the nginx image fills it in
from compose's environment) routes only the webhooks and /healthz to every replica, with the
service's body limits and timeouts, and logs no query strings; compose mounts it and the
certificates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pytest

from bot.channels.telegram import webhook as telegram_webhook
from bot.channels.whatsapp import webhook as whatsapp_webhook
from bot.dashboard import live
from tests.support.deployment_files import (
    NGINX,
    PREFIX,
    ROOT,
    SERVICE,
    environment,
    interpolate,
    mounts,
    service,
)


@dataclass
class Directive:
    name: str
    args: list[str]
    block: list[Directive] | None = None

    def all(self, name: str) -> list[Directive]:
        return [d for d in self.block or [] if d.name == name]

    def one(self, name: str) -> Directive | None:
        found = self.all(name)
        assert len(found) <= 1, f"{name} twice in {self.name} {self.args}"
        return found[0] if found else None


_NGINX_TOKEN = re.compile(r"""#[^\n]*|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|[{};]|[^\s{};"'#]+""")


def parse_nginx(text: str) -> Directive:
    tokens = [t for t in _NGINX_TOKEN.findall(text) if not t.startswith("#")]
    position = 0

    def block() -> list[Directive]:
        nonlocal position
        directives: list[Directive] = []
        words: list[str] = []
        while position < len(tokens):
            token = tokens[position]
            position += 1
            if token == ";":
                directives.append(Directive(words[0], words[1:]))
                words = []
            elif token == "{":
                directives.append(Directive(words[0], words[1:], block()))
                words = []
            elif token == "}":
                assert not words, f"unterminated directive {words}"
                return directives
            else:
                words.append(token[1:-1] if token[0] in "\"'" else token)
        assert not words, f"unterminated directive {words}"
        return directives

    return Directive("http", [], block())


@cache
def nginx() -> Directive:
    """The configuration as nginx reads it: the image first fills in the ${NAME}s that are
    set in its environment (and leaves nginx's own $variables alone)."""
    proxy_env = {name: interpolate(value) for name, value in environment("proxy").items()}
    text = re.sub(
        r"\$\{(\w+)\}",
        lambda m: proxy_env.get(m.group(1), m.group(0)),
        NGINX.read_text(encoding="utf-8"),
    )
    return parse_nginx(text)


def tls_server() -> Directive:
    servers = [s for s in nginx().all("server") if any("443" in d.args for d in s.all("listen"))]
    assert len(servers) == 1
    assert "ssl" in servers[0].all("listen")[0].args
    return servers[0]


def route(server: Directive, path: str) -> Directive:
    """The location nginx picks for a path: an exact match, else the longest prefix (the
    configuration uses no regular-expression locations, which the test makes sure of)."""
    locations = server.all("location")
    assert all(loc.args[0] in ("=", "^~") or loc.args[0].startswith("/") for loc in locations)
    for location in locations:
        if location.args[0] == "=" and location.args[1] == path:
            return location
    prefixes = [loc for loc in locations if loc.args[0] != "=" and path.startswith(loc.args[-1])]
    assert prefixes, f"no location for {path}"
    return max(prefixes, key=lambda loc: len(loc.args[-1]))


def effective(name: str, *scopes: Directive) -> list[str]:
    """A directive's arguments where it applies: the innermost scope that sets it."""
    for scope in scopes:
        found = scope.one(name)
        if found is not None:
            return found.args
    raise AssertionError(f"{name} is not set")


def nginx_size(text: str) -> int:
    match = re.fullmatch(r"(\d+)([kKmMgG]?)", text)
    assert match, text
    units = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
    return int(match.group(1)) * units[match.group(2).lower()]


def upstream_name(location: Directive) -> str:
    passes = location.all("proxy_pass")
    assert len(passes) == 1
    match = re.fullmatch(r"http://([\w-]+)", passes[0].args[0])
    assert match, "proxy_pass to the upstream group, without a path (no rewriting)"
    return match.group(1)


EXPOSED = {telegram_webhook.PATH, whatsapp_webhook.PATH, "/healthz"}
# The web chat, its static files and the dashboard: every path under them is the service's.
WEB = {"/chat", "/static/", "/loket/"}
LOGIN = "/loket/login"  # the dashboard's too, with a rate limit of its own


def test_the_proxy_routes_the_webhooks_and_healthz_to_every_replica() -> None:
    server = tls_server()
    for path in EXPOSED:
        location = route(server, path)
        name = upstream_name(location)
        upstreams = [u for u in nginx().all("upstream") if u.args == [name]]
        assert len(upstreams) == 1
        servers = upstreams[0].all("server")
        assert len(servers) == 1
        port = environment(SERVICE)[PREFIX + "HTTP_PORT"]
        assert servers[0].args[0] == f"{SERVICE}:{port}", "the compose service, on its port"
        # Re-resolved, so every replica (and a replaced one) gets traffic; needs a zone.
        assert "resolve" in servers[0].args
        assert upstreams[0].one("zone") is not None
    assert effective("resolver", nginx())[0] == "127.0.0.11", "Docker's embedded DNS"


def test_the_proxy_exposes_nothing_else() -> None:
    server = tls_server()
    for path in ("/readyz", "/docs", "/telegram/webhook/", "/whatsapp/webhookx", "/x", "/lokets"):
        location = route(server, path)
        assert not location.all("proxy_pass"), f"{path} must not reach the service"
        answer = location.one("return")
        assert answer is not None
        assert answer.args == ["404"]
    proxied = {loc.args[-1] for loc in server.all("location") if loc.all("proxy_pass")}
    assert proxied == EXPOSED | WEB | {LOGIN, live.PATH}
    for location in server.all("location"):
        if location.all("proxy_pass") and location.args[-1] in EXPOSED:
            assert location.args[0] == "=", "exact paths: /telegram/webhook/x stays outside"


def test_the_proxy_serves_the_web_chat_and_the_dashboard() -> None:
    server = tls_server()
    for path in ("/chat", "/chat/language", "/static/site.css", "/loket/", "/loket/login"):
        assert route(server, path).all("proxy_pass"), path
    assert route(server, "/").one("return").args == ["302", "/chat"]  # type: ignore[union-attr]
    # Forms are small: the server-wide limit applies to them.
    assert nginx_size(effective("client_max_body_size", route(server, "/chat"), server)[0]) <= (
        16 * 1024
    )


@pytest.mark.parametrize(
    ("path", "limit"),
    [
        (telegram_webhook.PATH, telegram_webhook.MAX_BODY),
        (whatsapp_webhook.PATH, whatsapp_webhook.MAX_BODY),
    ],
)
def test_the_proxy_body_limit_is_the_services(path: str, limit: int) -> None:
    server = tls_server()
    location = route(server, path)
    assert nginx_size(effective("client_max_body_size", location, server, nginx())[0]) == limit
    # Held in memory up to the limit: a body (personal data) is never written to disk.
    buffer = nginx_size(effective("client_body_buffer_size", location, server, nginx())[0])
    assert buffer >= limit
    assert nginx_size(effective("client_max_body_size", server)[0]) < limit


def test_the_proxy_passes_the_live_stream_on_unbuffered() -> None:
    server = tls_server()
    location = route(server, live.PATH)
    assert location.args == ["=", live.PATH]
    assert location.one("proxy_buffering").args == ["off"]  # type: ignore[union-attr]
    assert upstream_name(location) == "signaalpunt"
    # The heartbeat comes well before the proxy gives up on a quiet stream.
    read_timeout = effective("proxy_read_timeout", location, server, nginx())[0]
    assert int(read_timeout.removesuffix("s")) >= live.HEARTBEAT * 2
    assert "http2" in {d.name for d in server.block or []}


def test_the_proxy_limits_login_posts_per_client() -> None:
    """Each login is a 64 MiB password check: POSTs to the login are limited per client
    address (issue 18), the page itself is not."""
    http = nginx()
    [zone] = http.all("limit_req_zone")
    key, name, rate = zone.args
    assert name == "zone=login:10m"
    per_minute = int(rate.removeprefix("rate=").removesuffix("r/m"))
    assert 1 <= per_minute <= 30
    [keyed] = [m for m in http.all("map") if m.args[-1] == key]
    assert keyed.args[0] == "$request_method"
    entries = {d.name: d.args for d in keyed.block or []}
    assert entries["POST"] == ["$binary_remote_addr"]
    assert entries["default"] == [""]  # not limited: the GET of the page
    location = route(tls_server(), LOGIN)
    assert location.args == ["=", LOGIN]
    [limit] = location.all("limit_req")
    assert limit.args[0] == "zone=login"
    assert effective("limit_req_status", location, tls_server(), http)[0] == "429"
    assert upstream_name(location) == "signaalpunt"


def test_the_proxy_has_timeouts() -> None:
    server = tls_server()
    for name in (
        "client_header_timeout",
        "client_body_timeout",
        "send_timeout",
        "proxy_connect_timeout",
        "proxy_send_timeout",
        "proxy_read_timeout",
    ):
        effective(name, server, nginx())


def test_the_access_log_leaves_out_query_strings() -> None:
    # Meta's verification call carries the verify token in its query string.
    formats = nginx().all("log_format")
    assert formats
    for log_format in formats:
        line = " ".join(log_format.args[1:])
        for variable in ("$request ", "$request_uri", "$args", "$query_string", "$arg_"):
            assert variable not in line + " ", f"{variable.strip()} logs the query string"
    names = {f.args[0] for f in formats}
    for server in nginx().all("server"):
        access = effective("access_log", server)
        assert access == ["off"] or access[1] in names


def test_plain_http_only_redirects_and_answers_the_acme_challenge() -> None:
    (plain,) = [s for s in nginx().all("server") if ["80"] in [d.args for d in s.all("listen")]]
    assert route(plain, "/telegram/webhook").all("return")[0].args[0] == "301"
    assert route(plain, "/.well-known/acme-challenge/token").one("root") is not None
    assert not any(loc.all("proxy_pass") for loc in plain.all("location"))


def test_compose_mounts_the_proxy_configuration_and_certificates() -> None:
    proxy = service("proxy")
    assert proxy["image"].startswith("nginx:")
    assert {"80:80", "443:443"} <= set(proxy["ports"])
    mounted = mounts("proxy")
    # The image turns /etc/nginx/templates/X.template into /etc/nginx/conf.d/X; default.conf
    # replaces its welcome page.
    template = mounted["/etc/nginx/templates/default.conf.template"]
    assert (ROOT / template).resolve() == NGINX
    server = tls_server()
    for name in ("ssl_certificate", "ssl_certificate_key"):
        path = effective(name, server)[0]
        assert any(path.startswith(target + "/") for target in mounted), f"{path} not mounted"
    # The defaults are directories of the checkout that exist (and keep their files out of git).
    for target in ("/etc/nginx/tls", "/var/www/acme"):
        assert (ROOT / mounted[target] / ".gitignore").exists()
    # The template's ${NAME}s are filled in from the proxy's environment.
    wanted = set(re.findall(r"\$\{(\w+)\}", NGINX.read_text(encoding="utf-8")))
    assert wanted
    assert wanted <= set(environment("proxy"))
    assert service("proxy")["depends_on"][SERVICE]["condition"] == "service_healthy"
