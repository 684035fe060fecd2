"""Errors every entry point reports the same way (kept import-free: `ask` loads this too)."""


class ConfigError(ValueError):
    """Settings that are each valid but do not fit together (a channel's webhook without its
    secret…); the message is the one line the operator reads."""
