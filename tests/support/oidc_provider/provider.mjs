// The OpenID Connect provider the sign-in tests talk to: panva's oidc-provider (an
// OpenID Certified implementation) on loopback, configured from a JSON file the test
// writes (issuer, port, signing keys, clients, accounts). Its default development
// interactions serve the login and consent pages; the tests fill them in like a browser.
//
//   node provider.mjs config.json     prints {"ready": true, ...} once it listens
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

const provider = new Provider(config.issuer, {
  clients: config.clients,
  jwks: config.jwks,
  cookies: { keys: [config.cookieKey] },
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
    groups: ['groups'],
  },
  // Entra ID and Keycloak put the requested claims in the ID token too; with false this
  // provider does the same. The userinfo tests run it with true (claims only there).
  conformIdTokenClaims: config.conformIdTokenClaims,
  pkce: { required: () => true },
  ttl: { IdToken: config.idTokenTtl ?? 3600 },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    userinfo: { enabled: true },
  },
  async findAccount(ctx, id) {
    // Read at every sign-in, so a test can take a group away as a directory would.
    const account = JSON.parse(readFileSync(process.argv[2], 'utf8')).accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...account };
      },
    };
  },
});

const server = provider.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ ready: true, issuer: config.issuer })}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
