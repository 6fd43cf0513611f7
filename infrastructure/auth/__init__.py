"""How callers prove who they are: the Authenticator adapters."""
