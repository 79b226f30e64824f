"""Single sign-on for staff: an OpenID Connect relying party (authorization code flow with
PKCE S256, nonce and single-use state bound to the browser).

- ``settings``: ``SIGNAALPUNT_OIDC_*`` (``OidcSettings`` is a mixin for
  ``bot.settings.Settings``) and the role map.
- ``provider``: the provider's discovery document and signing keys, fetched over the
  caller's ``httpx.AsyncClient`` and cached (keys refreshed when a token names an unknown
  one: key rotation).
- ``id_token``: checking an ID token (signature with joserfc; iss, aud, azp, exp, iat,
  nonce by OpenID Connect Core 3.1.3.7), each failure a refusal reason.
- ``logins``: the pending logins (state, nonce, PKCE verifier, a hash of the browser's
  binding secret), taken at most once; ``MemoryPendingLogins`` for one process.
- ``relying_party``: ``begin`` (where to send the browser) and ``complete`` (the callback:
  a ``SignedIn`` identity with its role, or a ``Refused`` with a reason), and logout.

May import: the standard library, httpx, joserfc and pydantic. Nothing else of the
project: time, randomness, the HTTP client, the store and the roles are passed in.
"""
