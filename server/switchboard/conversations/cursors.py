"""Opaque page cursors: where the last page ended (opening time and id), base64url JSON."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json

from switchboard.conversations.errors import InvalidCursor
from switchboard.store.conversations.records import Cursor


def encode_cursor(cursor: Cursor) -> str:
    raw = json.dumps([cursor.opened_at.isoformat(), cursor.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str) -> Cursor:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        opened_at, conversation_id = json.loads(raw)
        at = dt.datetime.fromisoformat(opened_at)
        if at.tzinfo is None or not isinstance(conversation_id, str):
            raise ValueError("not a cursor")
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        raise InvalidCursor("The cursor is not one this server handed out.") from None
    return Cursor(at, conversation_id)
