"""The OpenAI providers through the real `openai` SDK, over HTTP, against the fake OpenAI server."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from openai import AsyncOpenAI, Timeout

from app.config import ConfigError, Settings
from app.conversation.providers.base import (
    ChatReply,
    Message,
    ProviderTimeout,
    ProviderUnavailable,
    ToolCall,
    ToolSpec,
)
from app.conversation.providers.openai import (
    OpenAIChatModel,
    OpenAITranscriber,
    OpenAITranslator,
    make_openai_client,
)
from app.language.he import GLOSSARY
from tests.fakes.openai_server import (
    FAKE_API_KEY,
    CallTool,
    Delay,
    FakeOpenAI,
    HttpError,
    Raw,
    Stream,
)

TIMEOUT_S = 5.0  # generous: a loaded CI machine must not turn a normal answer into a timeout
SHORT_TIMEOUT_S = 0.3  # for the tests whose answer is delayed 2 s on purpose

BOOK_MEETING = ToolSpec(
    name="book_meeting",
    description="Books a meeting in one of the offered slots.",
    parameters={
        "type": "object",
        "properties": {
            "slot_index": {"type": "integer", "description": "0 or 1"},
            "email": {"type": ["string", "null"]},
        },
        "required": ["slot_index", "email"],
        "additionalProperties": False,
    },
)
END_CALL = ToolSpec(
    name="end_call",
    description="Ends the call politely.",
    parameters={
        "type": "object",
        "properties": {"outcome": {"type": "string", "enum": ["not_interested", "opted_out"]}},
        "required": ["outcome"],
        "additionalProperties": False,
    },
)
CONVERSATION = [
    Message(role="system", content="You are Noa, an SDR for Alta."),
    Message(role="user", content="Yes, I have a minute."),
]


@pytest.fixture
def settings(openai_fake: FakeOpenAI) -> Settings:
    return openai_fake.settings(openai_model="gpt-test-mini", openai_transcribe_model="stt-test")


@pytest.fixture
def chat(openai_client: AsyncOpenAI, settings: Settings) -> OpenAIChatModel:
    return OpenAIChatModel(openai_client, settings.openai_model, timeout_s=TIMEOUT_S)


@pytest.fixture
def translator(openai_client: AsyncOpenAI, settings: Settings) -> OpenAITranslator:
    return OpenAITranslator(openai_client, settings.openai_model, timeout_s=TIMEOUT_S)


# --- chat ---------------------------------------------------------------------------------------


async def test_text_reply(openai_fake: FakeOpenAI, chat: OpenAIChatModel) -> None:
    openai_fake.queue_chat("Great! Who handles your inbound leads today?")

    reply = await chat.complete(CONVERSATION, [BOOK_MEETING, END_CALL])

    assert reply == ChatReply(content="Great! Who handles your inbound leads today?")
    [sent] = openai_fake.chat_requests
    assert sent["model"] == "gpt-test-mini"
    assert sent["messages"] == [
        {"role": "system", "content": "You are Noa, an SDR for Alta."},
        {"role": "user", "content": "Yes, I have a minute."},
    ]
    assert sent["parallel_tool_calls"] is False
    assert sent["temperature"] == pytest.approx(0.3)
    assert set(sent) == {"model", "messages", "tools", "parallel_tool_calls", "temperature"}


async def test_request_carries_strict_tools(openai_fake: FakeOpenAI, chat: OpenAIChatModel) -> None:
    openai_fake.queue_chat("ok")

    await chat.complete(CONVERSATION, [BOOK_MEETING, END_CALL])

    assert openai_fake.chat_requests[0]["tools"] == [
        {
            "type": "function",
            "function": {
                "name": spec.name,
                "description": spec.description,
                "parameters": spec.parameters,
                "strict": True,
            },
        }
        for spec in (BOOK_MEETING, END_CALL)
    ]


async def test_no_tools_sends_no_tool_options(
    openai_fake: FakeOpenAI, chat: OpenAIChatModel
) -> None:
    openai_fake.queue_chat("Hello")

    assert (await chat.complete(CONVERSATION, [])).content == "Hello"
    sent = openai_fake.chat_requests[0]
    assert "tools" not in sent
    assert "parallel_tool_calls" not in sent


async def test_tool_call_reply_is_parsed(openai_fake: FakeOpenAI, chat: OpenAIChatModel) -> None:
    openai_fake.queue_chat(
        CallTool("book_meeting", {"slot_index": 1, "email": "dana@acme.co.il"}, id="call_abc")
    )

    reply = await chat.complete(CONVERSATION, [BOOK_MEETING, END_CALL])

    assert reply.content is None
    assert reply.tool_calls == (
        ToolCall(
            id="call_abc",
            name="book_meeting",
            arguments={"slot_index": 1, "email": "dana@acme.co.il"},
        ),
    )


async def test_finish_reason_on_the_wire(
    openai_fake: FakeOpenAI, openai_client: AsyncOpenAI
) -> None:
    """The fake answers in OpenAI's real shape, as the raw SDK sees it."""
    openai_fake.queue_chat(CallTool("end_call", {"outcome": "opted_out"}), "bye")

    first = await openai_client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "stop calling me"}]
    )
    second = await openai_client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": "hi"}]
    )

    assert first.object == "chat.completion"
    assert first.choices[0].finish_reason == "tool_calls"
    assert first.usage is not None and first.usage.total_tokens > 0
    assert second.choices[0].finish_reason == "stop"
    assert second.choices[0].message.tool_calls is None


async def test_tool_results_are_serialised_in_the_next_request(
    openai_fake: FakeOpenAI, chat: OpenAIChatModel
) -> None:
    openai_fake.queue_chat(CallTool("book_meeting", {"slot_index": 0, "email": None}), "Booked!")
    tools = [BOOK_MEETING, END_CALL]

    first = await chat.complete(CONVERSATION, tools)
    [call] = first.tool_calls
    history = [
        *CONVERSATION,
        Message(role="assistant", content=first.content, tool_calls=first.tool_calls),
        Message(role="tool", tool_call_id=call.id, content='{"booked": true, "start": "14:30"}'),
    ]
    second = await chat.complete(history, tools)

    assert second.content == "Booked!"
    sent = openai_fake.chat_requests[1]["messages"]
    assert sent[2] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": call.id,
                "type": "function",
                "function": {
                    "name": "book_meeting",
                    "arguments": json.dumps({"slot_index": 0, "email": None}),
                },
            }
        ],
    }
    assert sent[3] == {
        "role": "tool",
        "tool_call_id": call.id,
        "content": '{"booked": true, "start": "14:30"}',
    }


async def test_rate_limit_is_unavailable(openai_fake: FakeOpenAI, chat: OpenAIChatModel) -> None:
    openai_fake.queue_chat(HttpError(429))

    with pytest.raises(ProviderUnavailable, match="429"):
        await chat.complete(CONVERSATION, [BOOK_MEETING])

    assert len(openai_fake.chat_requests) == 1  # the SDK does not retry


async def test_server_error_is_unavailable(openai_fake: FakeOpenAI, chat: OpenAIChatModel) -> None:
    openai_fake.queue_chat(HttpError(500))

    with pytest.raises(ProviderUnavailable, match="500"):
        await chat.complete(CONVERSATION, [BOOK_MEETING])

    assert len(openai_fake.chat_requests) == 1


async def test_bad_request_is_unavailable(openai_fake: FakeOpenAI, chat: OpenAIChatModel) -> None:
    loose = ToolSpec("end_call", "Ends the call.", {"type": "object", "properties": {}})

    with pytest.raises(ProviderUnavailable, match=r"400.*additionalProperties"):
        await chat.complete(CONVERSATION, [loose])

    [problem] = openai_fake.take_problems()
    assert "Invalid schema for function 'end_call'" in problem


async def test_slow_answer_times_out(openai_fake: FakeOpenAI, openai_client: AsyncOpenAI) -> None:
    openai_fake.queue_chat(Delay(2.0, then="too late"))
    chat = OpenAIChatModel(openai_client, "m", timeout_s=SHORT_TIMEOUT_S)

    with pytest.raises(ProviderTimeout):
        await chat.complete(CONVERSATION, [BOOK_MEETING])


async def test_client_recovers_after_a_timeout(
    openai_fake: FakeOpenAI, openai_client: AsyncOpenAI
) -> None:
    openai_fake.queue_chat(Delay(2.0, then="too late"), "on time")
    chat = OpenAIChatModel(openai_client, "m", timeout_s=SHORT_TIMEOUT_S)

    with pytest.raises(ProviderTimeout):
        await chat.complete(CONVERSATION, [BOOK_MEETING])
    assert (await chat.complete(CONVERSATION, [BOOK_MEETING])).content == "on time"


async def test_malformed_arguments_are_unavailable(
    openai_fake: FakeOpenAI, chat: OpenAIChatModel
) -> None:
    openai_fake.queue_chat(CallTool("book_meeting", '{"slot_index": 1, "email": '))

    with pytest.raises(ProviderUnavailable, match="malformed JSON"):
        await chat.complete(CONVERSATION, [BOOK_MEETING])


async def test_arguments_that_are_not_an_object_are_unavailable(
    openai_fake: FakeOpenAI, chat: OpenAIChatModel
) -> None:
    openai_fake.queue_chat(CallTool("book_meeting", "[1, 2]"))

    with pytest.raises(ProviderUnavailable, match="not a JSON object"):
        await chat.complete(CONVERSATION, [BOOK_MEETING])


@pytest.mark.parametrize(
    "body",
    [
        {"id": "x", "object": "chat.completion", "created": 0, "model": "m", "choices": []},
        ["not", "a", "completion"],
        {"choices": [{"index": 0, "finish_reason": "stop"}]},
        {"choices": [{"message": {"role": "assistant", "content": 42}}]},
        {
            "choices": [
                {"message": {"role": "assistant", "tool_calls": [{"id": "c", "type": "function"}]}}
            ]
        },
    ],
    ids=["no-choices", "a-list", "no-message", "content-not-text", "call-without-function"],
)
async def test_malformed_answer_is_unavailable(
    openai_fake: FakeOpenAI, chat: OpenAIChatModel, body: Any
) -> None:
    openai_fake.queue_chat(Raw(body))

    with pytest.raises(ProviderUnavailable):
        await chat.complete(CONVERSATION, [BOOK_MEETING])


async def test_connection_refused_is_unavailable(settings: Settings) -> None:
    client = make_openai_client(
        settings.model_copy(update={"openai_base_url": "http://127.0.0.1:9/v1"})
    )
    try:
        chat = OpenAIChatModel(client, "m", timeout_s=2.0)
        with pytest.raises(ProviderUnavailable, match="connection"):
            await chat.complete(CONVERSATION, [])
    finally:
        await client.close()


# --- translation --------------------------------------------------------------------------------


async def test_to_hebrew_prompt_carries_glossary_and_genders(
    openai_fake: FakeOpenAI, translator: OpenAITranslator
) -> None:
    openai_fake.queue_chat("מעולה, אני שולחת עכשיו זימון למייל.")

    hebrew = await translator.to_hebrew(
        "Great, I'm sending a calendar invite by email now.",
        lead_gender="male",
        agent_gender="female",
    )

    assert hebrew == "מעולה, אני שולחת עכשיו זימון למייל."
    [sent] = openai_fake.chat_requests
    assert sent["model"] == "gpt-test-mini"
    system, user = sent["messages"]
    assert system["role"] == "system"
    assert user == {"role": "user", "content": "Great, I'm sending a calendar invite by email now."}
    prompt = system["content"]
    for english, hebrew_term in GLOSSARY.items():
        assert f'"{english}" -> "{hebrew_term}"' in prompt
    assert "אני מתקשרת" in prompt and 'אני מתקשר"' not in prompt
    assert "masculine second person" in prompt
    assert "Output only the Hebrew translation" in prompt
    assert "tools" not in sent


@pytest.mark.parametrize(
    ("lead_gender", "agent_gender", "present", "absent"),
    [
        ("female", "male", ["feminine second person", '"אני מתקשר"'], ["אני מתקשרת"]),
        (None, "female", ["gender is unknown", '"אני מתקשרת"', '"אפשר"'], ["second person, e.g."]),
    ],
)
async def test_to_hebrew_gender_rules(
    openai_fake: FakeOpenAI,
    translator: OpenAITranslator,
    lead_gender: Any,
    agent_gender: Any,
    present: list[str],
    absent: list[str],
) -> None:
    openai_fake.queue_chat("  שלום  \n")

    assert (
        await translator.to_hebrew("Hi", lead_gender=lead_gender, agent_gender=agent_gender)
        == "שלום"
    )

    prompt = openai_fake.chat_requests[0]["messages"][0]["content"]
    for text in present:
        assert text in prompt
    for text in absent:
        assert text not in prompt


async def test_to_english(openai_fake: FakeOpenAI, translator: OpenAITranslator) -> None:
    openai_fake.queue_chat("Who is this? Are you from Alta?")

    english = await translator.to_english("מי זה? אתם מאלטה?")

    assert english == "Who is this? Are you from Alta?"
    system, user = openai_fake.chat_requests[0]["messages"]
    assert user == {"role": "user", "content": "מי זה? אתם מאלטה?"}
    assert "into plain English" in system["content"]
    assert "do not answer the caller" in system["content"]


async def test_empty_text_is_not_sent(
    openai_fake: FakeOpenAI, translator: OpenAITranslator
) -> None:
    assert await translator.to_english("   ") == ""
    assert await translator.to_hebrew("", lead_gender=None, agent_gender="female") == ""
    assert openai_fake.requests == []


async def test_empty_translation_is_unavailable(
    openai_fake: FakeOpenAI, translator: OpenAITranslator
) -> None:
    openai_fake.queue_chat("   ")

    with pytest.raises(ProviderUnavailable, match="empty"):
        await translator.to_english("כן")


async def test_translation_errors_are_provider_errors(
    openai_fake: FakeOpenAI, openai_client: AsyncOpenAI
) -> None:
    openai_fake.queue_chat(HttpError(503), Delay(2.0, then="late"))
    translator = OpenAITranslator(openai_client, "m", timeout_s=SHORT_TIMEOUT_S)

    with pytest.raises(ProviderUnavailable, match="503"):
        await translator.to_hebrew("Hi", lead_gender=None, agent_gender="female")
    with pytest.raises(ProviderTimeout):
        await translator.to_english("שלום")


# --- transcription ------------------------------------------------------------------------------


async def test_transcription_posts_multipart(
    openai_fake: FakeOpenAI, openai_client: AsyncOpenAI, settings: Settings
) -> None:
    openai_fake.queue_transcription("  כן, יש לי דקה.  ")
    transcriber = OpenAITranscriber(
        openai_client, settings.openai_transcribe_model, timeout_s=TIMEOUT_S
    )
    audio = b"RIFF\x00\x00\x00\x00WAVEfmt fake audio"

    text = await transcriber.transcribe(audio, filename="turn-3.wav")

    assert text == "כן, יש לי דקה."
    [sent] = openai_fake.transcription_requests
    assert sent.headers["content-type"].startswith("multipart/form-data")
    assert sent.form["model"] == "stt-test"
    assert sent.form["language"] == "he"
    upload = sent.files["file"]
    assert upload.filename == "turn-3.wav"
    assert upload.data == audio
    assert upload.content_type in {"audio/wav", "audio/x-wav"}


async def test_transcription_without_text_is_unavailable(
    openai_fake: FakeOpenAI, openai_client: AsyncOpenAI
) -> None:
    openai_fake.queue_transcription(Raw({"error": None}))

    with pytest.raises(ProviderUnavailable, match="no text"):
        await OpenAITranscriber(openai_client, "stt", timeout_s=TIMEOUT_S).transcribe(
            b"x", filename="a.wav"
        )


async def test_transcription_errors_are_provider_errors(
    openai_fake: FakeOpenAI, openai_client: AsyncOpenAI
) -> None:
    openai_fake.queue_transcription(HttpError(500), Delay(2.0, then="late"))
    transcriber = OpenAITranscriber(openai_client, "stt", timeout_s=SHORT_TIMEOUT_S)

    with pytest.raises(ProviderUnavailable, match="500"):
        await transcriber.transcribe(b"x", filename="a.mp3")
    with pytest.raises(ProviderTimeout):
        await transcriber.transcribe(b"x", filename="a.mp3")


# --- client -------------------------------------------------------------------------------------


async def test_authorization_header_carries_the_key(
    openai_fake: FakeOpenAI, chat: OpenAIChatModel
) -> None:
    openai_fake.queue_chat("hi")

    await chat.complete(CONVERSATION, [])

    assert openai_fake.requests[0].authorization == f"Bearer {FAKE_API_KEY}"


async def test_openai_base_url_from_the_environment(
    openai_fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", openai_fake.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    monkeypatch.setenv("OPENAI_MODEL", "llama3.1:8b")
    settings = Settings(_env_file=None)
    openai_fake.queue_chat("shalom")

    client = make_openai_client(settings)
    try:
        chat = OpenAIChatModel(client, settings.openai_model, timeout_s=2.0)
        assert (await chat.complete(CONVERSATION, [])).content == "shalom"
    finally:
        await client.close()

    [sent] = openai_fake.requests
    assert sent.authorization == "Bearer sk-from-env"
    assert sent.json["model"] == "llama3.1:8b"


async def test_client_is_configured_for_the_pipeline(settings: Settings) -> None:
    client = make_openai_client(settings)
    try:
        assert client.max_retries == 0
        assert str(client.base_url).rstrip("/") == settings.openai_base_url
        assert isinstance(client.timeout, Timeout)
        assert client.timeout.connect == 3.0
    finally:
        await client.close()


def test_client_needs_a_key() -> None:
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        make_openai_client(Settings(_env_file=None, openai_api_key=None))


# --- the fake itself ----------------------------------------------------------------------------


async def test_fake_runs_a_scripted_handler(openai_fake: FakeOpenAI, chat: OpenAIChatModel) -> None:
    def answer(request: dict[str, Any]) -> str:
        return f"you said: {request['messages'][-1]['content']}"

    openai_fake.script_chat(answer)

    assert (await chat.complete(CONVERSATION, [])).content == "you said: Yes, I have a minute."


async def test_fake_reports_unscripted_requests(
    openai_fake: FakeOpenAI, chat: OpenAIChatModel
) -> None:
    with pytest.raises(ProviderUnavailable, match="500"):
        await chat.complete(CONVERSATION, [])

    [problem] = openai_fake.take_problems()
    assert "no chat reply scripted" in problem


async def test_fake_refuses_a_tool_result_without_its_call(
    openai_fake: FakeOpenAI, chat: OpenAIChatModel
) -> None:
    openai_fake.queue_chat("unreachable")
    orphan = [*CONVERSATION, Message(role="tool", tool_call_id="call_nope", content="{}")]

    with pytest.raises(ProviderUnavailable, match="400"):
        await chat.complete(orphan, [END_CALL])

    [problem] = openai_fake.take_problems()
    assert "must be a response to a preceeding message with 'tool_calls'" in problem


# --- streamed chat ------------------------------------------------------------------------------


async def test_a_streamed_reply_hands_over_its_text_as_it_arrives(
    openai_fake: FakeOpenAI, chat: OpenAIChatModel
) -> None:
    openai_fake.queue_chat("Great! Who handles your inbound leads today?")
    pieces: list[str] = []

    async def take(piece: str) -> None:
        pieces.append(piece)

    reply = await chat.stream(CONVERSATION, [BOOK_MEETING, END_CALL], take, lambda: False)

    assert reply == ChatReply(content="Great! Who handles your inbound leads today?")
    assert len(pieces) > 1 and "".join(pieces) == reply.content
    assert openai_fake.chat_requests[0]["stream"] is True


async def test_a_streamed_tool_call_is_put_together(
    openai_fake: FakeOpenAI, chat: OpenAIChatModel
) -> None:
    openai_fake.queue_chat(CallTool("book_meeting", {"slot_index": 1}, id="call_s1"))

    async def nothing(_: str) -> None:
        raise AssertionError("a tool call has no text")

    reply = await chat.stream(CONVERSATION, [BOOK_MEETING], nothing, lambda: False)

    assert reply.content is None
    assert reply.tool_calls == (ToolCall("call_s1", "book_meeting", {"slot_index": 1}),)


async def test_a_stopped_stream_is_abandoned_with_its_text_so_far(
    openai_fake: FakeOpenAI, chat: OpenAIChatModel
) -> None:
    openai_fake.queue_chat(Stream(["One", " two", " three", " four", " five"], gap_s=0.05))
    pieces: list[str] = []

    async def take(piece: str) -> None:
        pieces.append(piece)

    reply = await chat.stream(CONVERSATION, [], take, lambda: len(pieces) >= 2)

    assert reply == ChatReply(content="One two")
    for _ in range(100):
        if openai_fake.abandoned_streams:
            break
        await asyncio.sleep(0.02)
    assert openai_fake.abandoned_streams == 1


async def test_a_stream_that_fails_is_a_provider_error(
    openai_fake: FakeOpenAI, chat: OpenAIChatModel
) -> None:
    openai_fake.queue_chat(HttpError(503))

    async def take(_: str) -> None:
        return None

    with pytest.raises(ProviderUnavailable, match="HTTP 503"):
        await chat.stream(CONVERSATION, [], take, lambda: False)
    openai_fake.take_problems()
