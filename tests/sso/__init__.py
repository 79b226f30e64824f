"""Single sign-on against a real OpenID Connect provider on loopback."""
