"""A small, real OpenAI-compatible HTTP server for tests: scripted replies on loopback.

It stands in for Ollama, vLLM, a llama.cpp server or OpenAI, so the LLM backend is
tested through its real client, over real HTTP. A test queues what the server should
answer (``reply``, ``fail``, ``garbage``, or a ``delay`` before any of them) and then
reads ``requests`` to see exactly what careguide sent. A test that cannot know how many
requests are coming (a ragas judge, say) sets a ``responder`` instead: a function from the
request to the reply, used whenever nothing is queued.

    with StandInLLM() as server:
        server.reply("Councils must assess kinship carers [1].")
        ...  # point LLMSettings.base_url at server.base_url
        assert "kinship" in server.requests[0].prompt

Serves ``POST /v1/chat/completions`` (non-streaming: careguide checks whole replies) and
``GET /v1/models``.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

MODEL = "stand-in-model"


@dataclass(frozen=True)
class Scripted:
    """One queued response: a reply, an HTTP error or a broken body, maybe after a wait."""

    content: str = ""
    status: int = 200
    raw: bytes | None = None  # sent as-is instead of a well-formed completion
    delay: float = 0.0


@dataclass(frozen=True)
class Received:
    """One request the server received."""

    path: str
    headers: dict[str, str]
    body: str
    json: dict[str, Any] = field(default_factory=dict)

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.json.get("messages", []))

    @property
    def prompt(self) -> str:
        """Every message's text, joined: what the model would have read."""
        return "\n".join(str(m.get("content", "")) for m in self.messages)


Responder = Callable[[Received], str | Scripted]


class StandInLLM:
    """An OpenAI-compatible server on 127.0.0.1 and a free port, answering from a script."""

    def __init__(self) -> None:
        self._script: deque[Scripted] = deque()
        self._responder: Responder | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.requests: list[Received] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # --- the script ----------------------------------------------------------------------

    def reply(self, content: str, *, delay: float = 0.0) -> None:
        """Queue a well-formed completion whose message is ``content``."""
        self._push(Scripted(content=content, delay=delay))

    def fail(self, status: int = 500, *, delay: float = 0.0) -> None:
        """Queue an HTTP error with an OpenAI-style error body."""
        body = json.dumps({"error": {"message": "stand-in failure", "type": "server_error"}})
        self._push(Scripted(status=status, raw=body.encode(), delay=delay))

    def garbage(self, body: bytes = b"{not json at all", *, status: int = 200) -> None:
        """Queue a response whose body is not a chat completion."""
        self._push(Scripted(status=status, raw=body))

    def respond_with(self, responder: Responder | None) -> None:
        """Answer every request the script does not cover with ``responder(request)``.

        A string is sent as a well-formed completion, a ``Scripted`` as it says. A responder
        that raises gets the client an HTTP 500 naming the error. ``None`` switches it off.
        """
        with self._lock:
            self._responder = responder

    def reset(self) -> None:
        """Forget queued responses, the responder and received requests."""
        with self._lock:
            self._script.clear()
            self._responder = None
            self.requests.clear()

    def _push(self, item: Scripted) -> None:
        with self._lock:
            self._script.append(item)

    def _next(self, received: Received) -> Scripted:
        with self._lock:
            if self._script:
                return self._script.popleft()
            responder = self._responder
        if responder is None:
            return Scripted(status=500, raw=b'{"error": {"message": "nothing scripted"}}')
        try:
            answer = responder(received)
        except Exception as error:  # a broken responder is a server error, as it would be
            body = {"error": {"message": f"stand-in responder failed: {error!r}"}}
            return Scripted(status=500, raw=json.dumps(body).encode())
        return answer if isinstance(answer, Scripted) else Scripted(content=answer)

    def _record(self, received: Received) -> None:
        with self._lock:
            self.requests.append(received)

    # --- lifecycle -----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The API root to configure, ending in /v1."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> StandInLLM:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping out a delay
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> StandInLLM:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _completion(content: str, model: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{time.monotonic_ns()}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    }


def _handler_for(owner: StandInLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def handle(self) -> None:
            # a client closing its kept-alive connection is normal: nothing to print
            with contextlib.suppress(ConnectionResetError):
                super().handle()

        def do_GET(self) -> None:
            if self.path.rstrip("/") != "/v1/models":
                self._send(404, b'{"error": {"message": "not found"}}')
                return
            models = {"object": "list", "data": [{"id": MODEL, "object": "model"}]}
            self._send(200, json.dumps(models).encode())

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace")
            try:
                parsed = json.loads(body)
            except ValueError:
                parsed = {}
            received = Received(self.path, dict(self.headers.items()), body, parsed)
            owner._record(received)
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send(404, b'{"error": {"message": "not found"}}')
                return
            item = owner._next(received)
            if item.delay and owner._stopping.wait(item.delay):
                return
            if item.raw is not None:
                self._send(item.status, item.raw)
            else:
                reply = _completion(item.content, str(parsed.get("model", MODEL)))
                self._send(item.status, json.dumps(reply).encode())

        def _send(self, status: int, payload: bytes) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up first (a timeout test): nothing to tell it

    return Handler
