"""A fake Twilio ConversationRelay: the client side of the app's /twilio/relay WebSocket.

It reads the <Connect><ConversationRelay> TwiML the app answered, dials the socket the TwiML
names (on the app's loopback port, signing the public wss:// URL with the real
`RequestValidator`, as Twilio signs the upgrade), and speaks the documented messages:

    setup      {type, sessionId, callSid, accountSid, from, to, direction, callType, callStatus,
                customParameters}
    prompt     {type, voicePrompt, lang, last}   (an interim one, last=false, then the final)
    interrupt  {type, utteranceUntilInterrupt, durationUntilInterruptMs}
    dtmf       {type, digit}
    error      {type, description}

From the app it collects `text` tokens (a reply ends at last=true) and `end` (handoffData, a JSON
string). PYTEST_DONT_REWRITE.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from twilio.request_validator import RequestValidator
from websockets.asyncio.client import ClientConnection, connect

from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, CALLER_ID

WAIT_S = 10.0


@dataclass(frozen=True, slots=True)
class RelayTwiml:
    """What <Connect><ConversationRelay> told Twilio to do."""

    url: str
    attributes: dict[str, str]
    parameters: dict[str, str]
    action: str

    @classmethod
    def of(cls, root: ET.Element) -> RelayTwiml:
        connect_verb = root.find("Connect")
        assert connect_verb is not None, ET.tostring(root, encoding="unicode")
        relay = connect_verb.find("ConversationRelay")
        assert relay is not None
        parameters = {p.attrib["name"]: p.attrib["value"] for p in relay.findall("Parameter")}
        return cls(
            relay.attrib["url"], dict(relay.attrib), parameters, connect_verb.attrib["action"]
        )


@dataclass
class FakeRelay:
    """Twilio's ConversationRelay (and the caller) on one socket of one call."""

    twiml: RelayTwiml
    port: int
    call_sid: str
    auth_token: str = AUTH_TOKEN
    signature: str | None = None  # None: signed properly
    session_id: str = field(default_factory=lambda: "VX" + secrets.token_hex(16))
    heard: list[str] = field(default_factory=list)  # every reply, as the caller heard it
    ended: dict[str, Any] | None = None  # the handoffData of `end`
    _socket: ClientConnection | None = None

    async def __aenter__(self) -> FakeRelay:
        await self.open()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.close()

    async def open(self) -> None:
        """Dials the socket with a signed upgrade and sends `setup`."""
        public = self.twiml.url
        signature = self.signature
        if signature is None:
            signature = RequestValidator(self.auth_token).compute_signature(public, {})
        parts = urlsplit(public)
        local = f"ws://127.0.0.1:{self.port}{parts.path}" + (
            f"?{parts.query}" if parts.query else ""
        )
        self._socket = await connect(local, additional_headers={"X-Twilio-Signature": signature})
        await self.send(
            type="setup",
            sessionId=self.session_id,
            accountSid=ACCOUNT_SID,
            parentCallSid="",
            callSid=self.call_sid,
            **{"from": CALLER_ID, "to": "+972501234567"},
            forwardedFrom="",
            callerName="",
            direction="outbound-api",
            callType="PSTN",
            callStatus="IN-PROGRESS",
            customParameters=self.twiml.parameters,
        )

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()

    async def send(self, **message: Any) -> None:
        assert self._socket is not None
        await self._socket.send(json.dumps(message, ensure_ascii=False))

    async def receive(self) -> dict[str, Any]:
        """The app's next message."""
        assert self._socket is not None
        async with asyncio.timeout(WAIT_S):
            message: dict[str, Any] = json.loads(await self._socket.recv())
        if message["type"] == "end":
            self.ended = json.loads(message["handoffData"])
        return message

    async def say(self, text: str) -> str:
        """The caller says `text` (an interim prompt, then the final one) and hears the reply."""
        await self.send(type="prompt", voicePrompt=text, lang="he-IL", last=False)
        await self.send(type="prompt", voicePrompt=text, lang="he-IL", last=True)
        return await self.reply()

    async def press(self, digit: str) -> str:
        await self.send(type="dtmf", digit=digit)
        return await self.reply()

    async def reply(self) -> str:
        """Text tokens up to last=true, as one line (an `end` alone ends it too)."""
        tokens: list[str] = []
        while True:
            message = await self.receive()
            if message["type"] == "end":
                break
            assert message["type"] == "text", message
            assert isinstance(message["token"], str) and isinstance(message["last"], bool)
            tokens.append(message["token"])
            if message["last"]:
                break
        line = "".join(tokens).strip()
        self.heard.append(line)
        return line

    async def interrupt(self, heard: str) -> None:
        await self.send(
            type="interrupt", utteranceUntilInterrupt=heard, durationUntilInterruptMs="1200"
        )
