"""What to answer Twilio for one voice or SMS webhook, once its signature was checked.

Voice: the first request of a call has no speech yet and gets a `<Gather input="speech">`;
the request carrying `SpeechResult` is decided by the API. An answer (auto_reply) is spoken
and the caller then reaches the default queue if they stay on the line, as the templates
promise; a question back (clarify) is spoken inside a new `<Gather>`; a routed call is put
through (`<Dial>`) to the queue's phone number. If the API cannot decide, the caller is put
through to a person. SMS: an answer comes back as `<Message>`; a routed text gets no reply
(a person answers it).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from switchboard.gateways.client import ApiError, Decision, SwitchboardClient, inquiry
from switchboard.gateways.directory import QueueDirectory, dialable
from switchboard.gateways.phrases import phrase
from switchboard.gateways.twiml import TwiML, speech_language

log = logging.getLogger("switchboard.gateways.twilio")


class NotDecided(Exception):
    """The API did not decide an SMS; the webhook answers 503 and sends nothing."""


@dataclass(frozen=True, slots=True)
class CallDesk:
    client: SwitchboardClient
    queues: QueueDirectory
    locale: str = "en"  # the language of the greeting, before anything is known

    def voice(self, params: Mapping[str, str], action: str) -> str:
        """TwiML for one voice webhook; `action` is where the next speech is posted."""
        speech = params.get("SpeechResult", "").strip()
        if not speech:
            return self._listen(TwiML(), action, phrase(self.locale, "greeting"), self.locale)
        try:
            decision = self.client.decide(_inquiry("voice", speech, params, "CallSid"))
        except ApiError as exc:
            log.error("call %s not decided: %s", params.get("CallSid"), exc)
            return self._put_through(TwiML(), None, self.locale, "failure").render()
        reply = decision.answer
        locale = (reply.locale if reply else "") or decision.language or self.locale
        language = speech_language(locale, self.locale)
        if decision.outcome == "clarify" and reply is not None:
            return self._listen(TwiML(), action, reply.body, locale)
        if reply is not None:
            twiml = TwiML().say(reply.body, language)
            number = self._number(None)
            return (twiml.dial(number) if number else twiml.hangup()).render()
        return self._put_through(TwiML(), decision, locale, "connecting").render()

    def sms(self, params: Mapping[str, str]) -> str:
        text = params.get("Body", "").strip()
        if not text:
            return TwiML().render()
        try:
            decision = self.client.decide(_inquiry("sms", text, params, "MessageSid"))
        except ApiError as exc:
            raise NotDecided(str(exc)) from exc
        reply = decision.answer
        return TwiML().message(reply.body).render() if reply else TwiML().render()

    def _listen(self, twiml: TwiML, action: str, prompt: str, locale: str) -> str:
        twiml.gather(action, speech_language(locale, self.locale), prompt)
        return self._put_through(twiml, None, locale, "no_speech").render()  # heard nothing

    def _put_through(self, twiml: TwiML, decision: Decision | None, locale: str, key: str) -> TwiML:
        language = speech_language(locale, self.locale)
        contact = self.queues.queue(decision.queue if decision else None)
        number = dialable(contact.phone) if contact else None
        if number and contact is not None:
            return twiml.say(phrase(locale, key, queue=contact.name), language).dial(number)
        fallback = "callback" if decision is not None else "goodbye"  # recorded: we call back
        return twiml.say(phrase(locale, fallback), language).hangup()

    def _number(self, queue: str | None) -> str | None:
        contact = self.queues.queue(queue)
        return dialable(contact.phone) if contact else None


def _inquiry(
    channel: Literal["voice", "sms"], text: str, params: Mapping[str, str], sid: str
) -> dict[str, Any]:
    """The caller's number identifies them; the call (or message) id names the thread."""
    meta = {
        "twilio_sid": params.get(sid, ""),
        "to": params.get("To", ""),
        "account_sid": params.get("AccountSid", ""),
        "speech_confidence": params.get("Confidence", ""),
    }
    return inquiry(
        channel,
        text,
        identifiers={"phone": params.get("From", "").strip() or None},
        thread=[params[sid]] if params.get(sid) else [],
        received_at=dt.datetime.now(dt.UTC),
        metadata={k: v for k, v in meta.items() if v},
    )
