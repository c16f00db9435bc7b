"""Switchboard: answers routine B2B customer inquiries and routes the rest, by rules kept in git."""

__version__ = "0.1.0"
