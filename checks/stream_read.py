"""A streamed reply read the way the openai SDK reads it (`openai/_streaming.py`: SSEDecoder and
Stream.__stream__), noting where it breaks the SDK and where it only departs from the standard.

The SDK splits server-sent events on blank lines, ignores comment lines, stops at
`data: [DONE]`, parses every other data line as JSON (a frame that is not JSON raises
JSONDecodeError in the user's loop), and raises APIError for an `error` object or an
`event: error` frame. It never checks the content type, and keeps going without `[DONE]`
or a usage chunk: those only break other clients.

The doctor reads at most a capped body (doctor/http.py). A stream longer than that is cut by
the doctor, not broken by the server: the frame the cap split is not judged, nor what a
complete stream would end with ([DONE], usage), and `cut` says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

BUFFERED_SPREAD = 0.005  # seconds: chunks that all arrive within this came through a buffer
BUFFERED_WAIT = 0.05  # ...after a wait this long for the first of them (a local server may simply be that fast)
MIN_CHUNKS_TO_JUDGE = 3


@dataclass
class StreamRead:
    frames: int = 0  # data frames that parsed as JSON
    text: str = ""  # the content the SDK's loop would collect
    finish_reason: str | None = None
    usage: dict[str, Any] | None = None
    done: bool = False  # [DONE] was sent
    invalid: list[str] = field(default_factory=list)  # data frames that are not JSON (the SDK raises on these)
    error: dict[str, Any] | None = None  # an error sent inside the stream (the SDK raises APIError)
    not_a_stream: bool = False  # a plain JSON body where a stream was asked for (the SDK yields nothing)
    cut: int | None = None  # the doctor's own cap (bytes), when the stream was longer and read only that far


def cut_note(read: StreamRead) -> str:
    """What the doctor's cap left unread, in words that blame neither the server nor the user."""
    return (f"the stream was longer than the {(read.cut or 0) // 1024} KB the doctor reads; {read.frames} frames "
            f"were read before its cap, and what followed (the rest of the reply, [DONE], usage) was not judged")


def read_stream(body: bytes, cut_at: int | None = None) -> StreamRead:
    """Walks the body as the SDK's decoder does. `cut_at`: the doctor's cap, when it cut the body
    there; the event the cut split is dropped, since the server sent the rest of it."""
    read = StreamRead(cut=cut_at)
    if cut_at is not None:
        body = body[:max(body.rfind(b"\n\n"), body.rfind(b"\r\n\r\n"), 0)]
    text = body.decode("utf-8", "replace")
    if text.lstrip().startswith("{") and "data:" not in text:
        read.not_a_stream = True
        return read
    event, data_lines = None, []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") + [""]:
        if line == "":
            if data_lines:
                if _dispatch(read, event, "\n".join(data_lines)):
                    return read
            event, data_lines = None, []
        elif line.startswith(":"):
            continue  # a comment: keep-alive pings, ": OPENROUTER PROCESSING"
        else:
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "data":
                data_lines.append(value)
            elif name == "event":
                event = value
    return read


def _dispatch(read: StreamRead, event: str | None, data: str) -> bool:
    """One event; True when the SDK would stop reading here."""
    if data.startswith("[DONE]"):
        read.done = True
        return True
    try:
        parsed = json.loads(data)
    except (ValueError, RecursionError):
        read.invalid.append(data[:200])
        return True  # JSONDecodeError ends the user's loop
    if event == "error" or (isinstance(parsed, dict) and parsed.get("error")):
        error = parsed.get("error") if isinstance(parsed, dict) else None
        read.error = error if isinstance(error, dict) else {"message": str(error or parsed)}
        return True
    read.frames += 1
    if not isinstance(parsed, dict):
        return False
    if isinstance(parsed.get("usage"), dict):
        read.usage = parsed["usage"]
    for choice in parsed.get("choices") or ():
        if not isinstance(choice, dict):
            continue
        delta = choice.get("delta") if isinstance(choice.get("delta"), dict) else {}
        if isinstance(delta.get("content"), str):
            read.text += delta["content"]
        if choice.get("finish_reason"):
            read.finish_reason = str(choice["finish_reason"])
    return False


def buffered(arrivals: tuple[float, ...], frames: int) -> bool:
    """Whether a multi-chunk stream arrived all at once after a wait, as through a buffering proxy.
    `arrivals` are seconds from the request to each piece read from the network."""
    if frames < MIN_CHUNKS_TO_JUDGE or not arrivals:
        return False
    return arrivals[-1] - arrivals[0] < BUFFERED_SPREAD and arrivals[0] >= BUFFERED_WAIT
