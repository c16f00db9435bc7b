"""`switchboard classify`: what the engine would do with each line of a JSON-lines file.

Input lines: `{"text": ..., "channel": "email", "id": ...}` (channel and id optional).
Output lines: `{"id", "intent", "confidence", "outcome", "automated", "reasons"}`, where
`automated` assumes the sender is a known standard customer and every live lookup finds a
row that customer owns: it answers "would the classifier and the rules let this through?".
A line that cannot be read gets `{"id", "line", "error"}` in its place and the exit code is 1.
Channel names are read leniently, since data sets name channels their own way: `phone`,
`call` and `telephone` are voice, `web`, `webchat`, `live_chat` and `messenger` are chat,
`mail` and `e-mail` are email, `text` is sms; any other name counts as email.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import msgspec

from switchboard.commands.route import add_rules_options, load_rules
from switchboard.engine.types import Context, Inquiry
from switchboard.rules.model import Channel, Ruleset

BATCH = 512


_CHANNELS: dict[str, Channel] = {
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "sms": "sms",
    "text": "sms",
    "chat": "chat",
    "web": "chat",
    "webchat": "chat",
    "live_chat": "chat",
    "messenger": "chat",
    "voice": "voice",
    "phone": "voice",
    "call": "voice",
    "telephone": "voice",
}


def channel_of(name: str) -> Channel:
    return _CHANNELS.get(name.strip().lower().replace(" ", "_"), "email")


class InputLine(msgspec.Struct):
    text: str
    channel: str = "email"
    id: Any = None
    subject: str | None = None
    locale: str | None = None


class OutputLine(msgspec.Struct):
    id: Any
    intent: str
    confidence: float
    outcome: str
    automated: bool
    reasons: list[str]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="switchboard classify", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--rules", type=Path, required=True, help="the rules repository")
    add_rules_options(parser)
    parser.add_argument("--input", type=Path, required=True, help="JSON lines to classify")
    parser.add_argument("--output", type=Path, help="where to write results (default: stdout)")
    return parser


def _read(handle: IO[bytes]) -> Iterator[tuple[int, InputLine | ErrorLine]]:
    """(line number, parsed line or error message) for every non-blank line."""
    decoder = msgspec.json.Decoder(InputLine)
    for number, raw in enumerate(handle, start=1):
        if not raw.strip():
            continue
        try:
            yield number, decoder.decode(raw)
        except msgspec.DecodeError as exc:
            yield number, ErrorLine(_id_of(raw), number, str(exc))


class ErrorLine(msgspec.Struct):
    id: Any
    line: int
    error: str


def _id_of(raw: bytes) -> Any:
    """The line's id, if the line is a JSON object at all (so the error can be matched up)."""
    try:
        value = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return None
    return value.get("id") if isinstance(value, dict) else None


def _batches(
    items: Iterator[tuple[int, InputLine | ErrorLine]],
) -> Iterator[list[tuple[int, Any]]]:
    batch: list[tuple[int, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def classify_stream(ruleset: Ruleset, source: IO[bytes], sink: IO[bytes]) -> tuple[int, int]:
    """Classify every line of `source` into `sink`; returns (lines done, lines refused)."""
    from switchboard.engine.decide import classification_text, decide
    from switchboard.engine.sources import ASSUMED_CUSTOMER, AssumedDataSource

    now = dt.datetime.now(dt.UTC)
    data = AssumedDataSource(ruleset, now, ASSUMED_CUSTOMER)
    context = Context(now=now, customer=ASSUMED_CUSTOMER)
    encoder = msgspec.json.Encoder()
    done = refused = 0
    for batch in _batches(_read(source)):
        good = [
            (n, Inquiry(channel_of(x.channel), x.text, subject=x.subject, locale=x.locale), x.id)
            for n, x in batch
            if isinstance(x, InputLine)
        ]
        predictions = ruleset.classifier.predict_many([classification_text(q) for _, q, _ in good])
        results = {}
        for (number, inquiry, line_id), prediction in zip(good, predictions, strict=True):
            decision = decide(
                ruleset, inquiry, context, data, prediction=prediction, decision_id=str(number)
            )
            results[number] = OutputLine(
                line_id,
                decision.intent,
                decision.confidence,
                decision.outcome,
                decision.automated,
                decision.reasons,
            )
        for number, item in batch:
            if isinstance(item, ErrorLine):
                refused += 1
                sink.write(encoder.encode(item) + b"\n")
            else:
                done += 1
                sink.write(encoder.encode(results[number]) + b"\n")
    return done, refused


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    ruleset = load_rules("classify", args.rules, args.rev, args.cache_dir, worktree=args.worktree)
    if ruleset is None:
        return 1
    try:
        source = args.input.open("rb")
    except OSError as exc:
        print(f"switchboard classify: cannot read {args.input}: {exc}", file=sys.stderr)
        return 1
    with source:
        if args.output is None:
            done, refused = classify_stream(ruleset, source, sys.stdout.buffer)
        else:
            with args.output.open("wb") as sink:
                done, refused = classify_stream(ruleset, source, sink)
    if refused:
        print(f"switchboard classify: {refused} line(s) could not be read", file=sys.stderr)
    print(f"switchboard classify: {done} line(s) classified", file=sys.stderr)
    return 1 if refused else 0
