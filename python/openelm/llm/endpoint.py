"""Completions from an OpenAI-compatible server: vLLM, SGLang, llama.cpp's
`llama-server` or `llama_cpp.server`, Ollama's `/v1`, or a hosted API.

This module owns everything between a batch of prompts and the server:

- the start-up check: the server answers, takes the API key, serves the
  model, and speaks `/completions` (or, lacking it, `/chat/completions`);
  each failure is one `EndpointError` line;
- several servers of one model (`EndpointPool`): a batch split among them;
- the requests: `concurrency` at a time over one httpx client, each with a
  timeout, retried with exponential backoff (and the server's Retry-After)
  on connection failures, 408, 409, 429 and 5xx;
- each answer as a `Completion`: the text cut at the end of `make_walker`,
  the token counts from `usage`, `length` as a truncation, a prompt over the
  context as CONTEXT_OVERFLOW (the caller may retry it shorter);
- the secret: the API key comes from the environment only, travels in the
  Authorization header only, and appears in no identity, message or log.

Sampling is seeded per request where the server takes a seed; whether the
same seed gives the same text is up to the server (llama.cpp's does not
promise it across calls), and the identity records that.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import textwrap
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx

from openelm.errors import ConfigFieldError
from openelm.llm.completion import (
    DEFAULT_TOP_K,
    Completion,
    CompletionError,
    StopReason,
    body_after_healing,
    ends_scope,
    split_trailing_whitespace,
    trim_to_function_body,
)
from openelm.records import DEFAULT_API_KEY_ENV, ModelConfig

# Retried: the server is busy, restarting or briefly unreachable.
RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
DEFAULT_MAX_RETRIES = 4
BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 8.0
CONNECT_TIMEOUT_S = 10.0
# Statuses that say "this path does not exist here" (a server without
# plain completions).
_MISSING_PATH_STATUSES = frozenset({404, 405, 501})
# How servers word "the prompt is longer than the context": llama.cpp
# ("exceed context window"), vLLM ("maximum context length"), OpenAI
# ("context_length_exceeded"), SGLang ("longer than the model's context").
_OVERFLOW_WORDS = re.compile(r"context|too long|maximum model length|exceed", re.IGNORECASE)
# The end of `make_walker` is the first non-empty line at column 0. Servers
# take only literal stop strings (OpenAI at most 4), so these catch what a
# model usually writes after the body (measured on SmolLM2 through
# llama_cpp.server, docs/evolve.md); `trim_to_function_body` cuts the rest.
STOP_SEQUENCES = ("\ndef ", "\n#", "\n```", '\n"""')
CHAT_INSTRUCTION = (
    "You continue Python files. Reply with only the body of the last function, "
    "`make_walker`, indented by four spaces, in one ```python block."
)
# Sampling as the in-process engines do it (top-k 50, then top-p and the
# temperature), sent as the extensions llama.cpp, vLLM, SGLang and Ollama
# read. Without them llama.cpp's servers add min-p 0.05 and a 1.1 repetition
# penalty, which punishes a child for copying its parent's code. A server
# that refuses unknown fields (OpenAI's) gets the standard fields only.
SAMPLING_EXTENSIONS: dict[str, float] = {
    "top_k": DEFAULT_TOP_K,
    "min_p": 0.0,
    "repeat_penalty": 1.0,
    "repetition_penalty": 1.0,
}
SAMPLING_NOTE = "seeded per request; remote sampling is reproducible only if the server's is"


class EndpointError(ConfigFieldError):
    """The server cannot be used (unreachable, key refused, model not
    served); found at start-up, a usage error naming the field at fault."""


@dataclass(frozen=True)
class EndpointSettings:
    """Where one server is and how to sample it: a run's `ModelConfig` for
    one of its endpoints (`endpoint_settings`), with the same defaults."""

    base_url: str
    model: str
    api_key_env: str | None = None
    concurrency: int = ModelConfig.concurrency
    timeout_s: float = ModelConfig.request_timeout_s
    max_new_tokens: int = ModelConfig.max_new_tokens
    temperature: float = ModelConfig.temperature
    top_p: float = ModelConfig.top_p
    max_retries: int = DEFAULT_MAX_RETRIES


def endpoint_settings(config: ModelConfig) -> list[EndpointSettings]:
    """The settings for each server `config.endpoint` names, in order."""
    return [
        EndpointSettings(
            base_url=url,
            model=config.model,
            api_key_env=config.api_key_env,
            concurrency=config.concurrency,
            timeout_s=config.request_timeout_s,
            max_new_tokens=config.max_new_tokens,
            temperature=config.temperature,
            top_p=config.top_p,
        )
        for url in config.endpoint_urls()
    ]


def endpoint_url_problem(url: str) -> str | None:
    """Why `url` cannot be an endpoint's base URL, or None. The URL is stored
    with the run, so one holding credentials is refused (and not repeated)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        return "endpoint must be a URL such as http://127.0.0.1:8080/v1"
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return "endpoint must be an http:// or https:// URL such as http://127.0.0.1:8080/v1"
    if parsed.userinfo or parsed.query or parsed.fragment:
        return (
            "endpoint URL must not carry credentials or a query string (it is stored with the run); "
            f"put the API key in {DEFAULT_API_KEY_ENV} or the variable named by the API key option"
        )
    return None


def read_api_key(api_key_env: str | None) -> str | None:
    """The API key from the environment: the variable `api_key_env` names
    (which must be set), else OPENAI_API_KEY if set, else None (no key)."""
    if api_key_env is None:
        return os.environ.get(DEFAULT_API_KEY_ENV) or None
    key = os.environ.get(api_key_env)
    if not key:
        raise EndpointError(
            "model.api_key_env", f"the environment variable {api_key_env} holds no API key"
        )
    return key


def request_seed(seed: int, index: int) -> int:
    """The seed of the `index`-th prompt of a batch seeded `seed` (31 bits:
    every server takes it)."""
    digest = hashlib.sha256(f"{seed}:{index}".encode()).digest()
    return int.from_bytes(digest[:4], "little") & 0x7FFF_FFFF


class _Refused(Exception):
    """The server answered with a status that retrying will not change."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"HTTP {status}: {message}" if message else f"HTTP {status}")
        self.status = status
        self.message = message

    @property
    def is_context_overflow(self) -> bool:
        return self.status in (400, 413, 422) and bool(_OVERFLOW_WORDS.search(self.message))


class EndpointCompleter:
    """A `Completer` (see `openelm.evolve.generation`) backed by a server.

    Construction checks the server; `identity` then names the endpoint (URL
    without credentials), the served model, the API used and the server's
    version where it reports one.
    """

    def __init__(
        self, settings: EndpointSettings, *, on_note: Callable[[str], None] | None = None
    ) -> None:
        problem = endpoint_url_problem(settings.base_url)
        if problem is not None:
            raise EndpointError("model.endpoint", problem)
        self.settings = settings
        self.url = settings.base_url.rstrip("/")
        self._note = on_note or (lambda _: None)
        self._extensions: dict[str, float] = dict(SAMPLING_EXTENSIONS)
        key = read_api_key(settings.api_key_env)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._client = httpx.Client(
            base_url=self.url + "/",
            headers=headers,
            timeout=httpx.Timeout(settings.timeout_s, connect=CONNECT_TIMEOUT_S),
            limits=httpx.Limits(max_connections=settings.concurrency),
            # Proxies and .netrc from the environment stay out: the key goes
            # to the server named, and nowhere else.
            trust_env=False,
        )
        try:
            self.uses_chat, self.identity = self._check_server()
        except BaseException:
            self._client.close()
            raise

    def close(self) -> None:
        self._client.close()

    # -- a batch --------------------------------------------------------------

    def complete(
        self, prompts: Sequence[str], *, seed: int, first_index: int = 0
    ) -> list[Completion]:
        """One completion per prompt, in order, the i-th seeded from (seed,
        first_index + i); raises CompletionError when a request fails for
        good (the other requests are abandoned)."""
        if not prompts:
            return []
        executor = ThreadPoolExecutor(
            max_workers=min(self.settings.concurrency, len(prompts)),
            thread_name_prefix="openelm-endpoint",
        )
        try:
            futures = [
                executor.submit(self._complete_one, prompt, request_seed(seed, first_index + index))
                for index, prompt in enumerate(prompts)
            ]
            return [future.result() for future in futures]
        finally:
            # On an error or Ctrl-C, queued requests are dropped; requests in
            # flight end on their own (their answers are ignored).
            executor.shutdown(wait=False, cancel_futures=True)

    def _complete_one(self, prompt: str, seed: int) -> Completion:
        settings = self.settings
        head, healed = split_trailing_whitespace(prompt)
        request: dict[str, Any] = {
            "model": settings.model,
            "max_tokens": settings.max_new_tokens,
            "temperature": settings.temperature,
            "top_p": settings.top_p,
            "seed": seed,
            "stop": list(STOP_SEQUENCES),
            **self._extensions,
        }
        if self.uses_chat:
            request["messages"] = [
                {"role": "system", "content": CHAT_INSTRUCTION},
                {"role": "user", "content": prompt},
            ]
        else:
            request["prompt"] = head
        try:
            answer = self._post("chat/completions" if self.uses_chat else "completions", request)
        except _Refused as refusal:
            if refusal.is_context_overflow:
                return Completion("", 0, 0, StopReason.CONTEXT_OVERFLOW)
            raise CompletionError(
                f"the endpoint {self.url} refused a request ({refusal})"
            ) from None
        return self._completion_of(answer, healed)

    def _completion_of(self, answer: dict[str, Any], healed: str) -> Completion:
        try:
            choice = answer["choices"][0]
            if self.uses_chat:
                generated = str(choice["message"]["content"] or "")
                body = body_from_chat_reply(generated)
            else:
                generated = str(choice["text"] or "")
                body = body_after_healing(generated, healed)
            finish_reason = choice.get("finish_reason")
            usage = answer.get("usage") or {}
            prompt_tokens = int(usage.get("prompt_tokens") or 0)
            completion_tokens = int(usage.get("completion_tokens") or 0)
        except (KeyError, IndexError, TypeError, ValueError, AttributeError):
            raise CompletionError(
                f"the endpoint {self.url} sent an answer that is not an OpenAI completion"
            ) from None
        if finish_reason == "length" and not ends_scope(generated.removeprefix(healed)):
            stopped = StopReason.MAX_NEW_TOKENS
        else:
            # "stop": a stop string, an end-of-sequence token, or the body's
            # end seen in the text; servers do not tell these apart.
            stopped = StopReason.SCOPE_END
        return Completion(body, prompt_tokens, completion_tokens, stopped)

    # -- HTTP -------------------------------------------------------------------

    def _post(
        self, path: str, body: dict[str, Any], *, max_retries: int | None = None
    ) -> dict[str, Any]:
        """The server's JSON answer to POST `path`. Transient failures are
        retried with backoff; `_Refused` for any other error status,
        CompletionError once the retries are spent."""
        retries = self.settings.max_retries if max_retries is None else max_retries
        attempt = 0
        while True:
            retry_after: float | None = None
            try:
                response = self._client.post(path, json=body)
            except httpx.TransportError as error:
                failure = _transport_failure(error)
            else:
                if response.status_code < 400:
                    return _json_object(response, self.url)
                message = _error_message(response)
                if response.status_code not in RETRY_STATUSES:
                    raise _Refused(response.status_code, message)
                failure = f"HTTP {response.status_code}" + (f": {message}" if message else "")
                retry_after = _retry_after_seconds(response)
            if attempt >= retries:
                raise CompletionError(
                    f"the endpoint {self.url} failed after {attempt + 1} attempts ({failure})"
                )
            time.sleep(_backoff_seconds(attempt, retry_after))
            attempt += 1

    # -- start-up -------------------------------------------------------------

    def _check_server(self) -> tuple[bool, dict[str, str]]:
        """(whether to use chat completions, the identity), or EndpointError."""
        listed = self._served_models()
        model = self.settings.model
        if listed is not None and model not in listed:
            served = ", ".join(sorted(listed)[:8]) or "none"
            raise EndpointError(
                "model.model",
                f"the endpoint {self.url} does not serve model {model!r} (it serves: {served})",
            )
        uses_chat, fingerprint = self._probe_generation()
        details = (listed or {}).get(model, {})
        identity = {
            "name": model,
            "source": "endpoint",
            "path": self.url,
            # What pins the weights, where the server says (vLLM: `root`).
            "revision": str(details.get("root") or ""),
            "api": "chat/completions (the server lacks /completions)"
            if uses_chat
            else "completions",
            "server_version": fingerprint or str(details.get("owned_by") or ""),
            "sampling": SAMPLING_NOTE
            + ("" if self._extensions else "; the server refused top_k/min_p/repeat_penalty"),
        }
        return uses_chat, identity

    def _served_models(self) -> dict[str, dict[str, Any]] | None:
        """{model id: its entry} from GET /models; None when the server has no listing."""
        try:
            response = self._client.get("models", timeout=CONNECT_TIMEOUT_S * 3)
        except httpx.TransportError as error:
            raise EndpointError(
                "model.endpoint",
                f"cannot reach the endpoint {self.url} ({_transport_failure(error)})",
            ) from None
        self._refuse_on_auth_failure(response.status_code, _error_message(response))
        if response.status_code >= 400:
            return None
        try:
            entries = _json_object(response, self.url)["data"]
            return {str(entry["id"]): entry for entry in entries}
        except (CompletionError, KeyError, TypeError):
            return None

    def _probe_generation(self) -> tuple[bool, str]:
        """Ask for one token: (True if only chat completions work, the
        server's system fingerprint or '')."""
        probe: dict[str, Any] = {"model": self.settings.model, "max_tokens": 1, "temperature": 0}
        try:
            answer = self._probe_completions({**probe, "prompt": "def"})
            return False, str(answer.get("system_fingerprint") or "")
        except _Refused as refusal:
            self._refuse_on_auth_failure(refusal.status, refusal.message)
            if refusal.status not in _MISSING_PATH_STATUSES:
                raise EndpointError(
                    "model.model",
                    f"the endpoint {self.url} refused a completion for model "
                    f"{self.settings.model!r} ({refusal})",
                ) from None
            completions_refusal = refusal
        except CompletionError as error:
            raise EndpointError("model.endpoint", str(error)) from None
        try:
            chat = {**probe, "messages": [{"role": "user", "content": "def"}]}
            answer = self._post("chat/completions", chat, max_retries=2)
        except (_Refused, CompletionError):
            raise EndpointError(
                "model.model",
                f"the endpoint {self.url} does not complete text for model "
                f"{self.settings.model!r} ({completions_refusal})",
            ) from None
        self._note(f"{self.url} has no /completions: using /chat/completions")
        return True, str(answer.get("system_fingerprint") or "")

    def _probe_completions(self, probe: dict[str, Any]) -> dict[str, Any]:
        """A probe with the sampling extensions, and without them if the
        server refuses fields it does not know (which it names)."""
        try:
            return self._post("completions", {**probe, **self._extensions}, max_retries=2)
        except _Refused as refusal:
            named = any(name in refusal.message for name in SAMPLING_EXTENSIONS)
            if refusal.status not in (400, 422) or not named:
                raise
        self._extensions = {}
        self._note(f"{self.url} refuses top_k/min_p/repeat_penalty: sampling with its defaults")
        return self._post("completions", probe, max_retries=2)

    def _refuse_on_auth_failure(self, status: int, message: str) -> None:
        if status not in (401, 403):
            return
        source = self.settings.api_key_env or DEFAULT_API_KEY_ENV
        reason = "refused the API key" if status == 401 else "denied access"
        raise EndpointError(
            "model.api_key_env",
            f"the endpoint {self.url} {reason} (HTTP {status}"
            + (f": {message}" if message else "")
            + f"); the key is read from {source}",
        )


# What must agree between servers of one run: the model they serve, what
# pins its weights, the API used and the server's version.
_SHARED_IDENTITY_KEYS = ("name", "revision", "api", "server_version")


class EndpointPool:
    """A `Completer` over several servers of the same model: each batch is
    cut into one contiguous slice per server, and the slices are asked at
    once. Prompt i is seeded from (seed, i) whichever server answers it, so
    the batch reads as one server's would (if their sampling is the same)."""

    def __init__(self, completers: Sequence[EndpointCompleter]) -> None:
        self._completers = list(completers)
        first = self._completers[0].identity
        for completer in self._completers[1:]:
            differing = [
                key for key in _SHARED_IDENTITY_KEYS if completer.identity[key] != first[key]
            ]
            if differing:
                raise EndpointError(
                    "model.endpoint",
                    f"the endpoints {first['path']} and {completer.url} serve different models "
                    f"(their {', '.join(differing)} differ)",
                )
        self.identity = {**first, "path": ",".join(c.url for c in self._completers)}

    def close(self) -> None:
        for completer in self._completers:
            completer.close()

    def complete(
        self, prompts: Sequence[str], *, seed: int, first_index: int = 0
    ) -> list[Completion]:
        """As `EndpointCompleter.complete`, spread over the servers."""
        if not prompts:
            return []
        parts = min(len(prompts), len(self._completers))
        bounds = [round(part * len(prompts) / parts) for part in range(parts + 1)]
        with ThreadPoolExecutor(max_workers=parts, thread_name_prefix="openelm-servers") as pool:
            futures = [
                pool.submit(
                    completer.complete,
                    prompts[bounds[part] : bounds[part + 1]],
                    seed=seed,
                    first_index=first_index + bounds[part],
                )
                for part, completer in enumerate(self._completers[:parts])
            ]
            return [completion for future in futures for completion in future.result()]


def connect_endpoints(
    settings: Sequence[EndpointSettings], *, on_note: Callable[[str], None] | None = None
) -> EndpointCompleter | EndpointPool:
    """The backend for one server, or for several of the same model; each
    is checked at start-up (EndpointError names the one at fault)."""
    completers: list[EndpointCompleter] = []
    try:
        for one in settings:
            completers.append(EndpointCompleter(one, on_note=on_note))
        if len(completers) == 1:
            return completers[0]
        return EndpointPool(completers)
    except BaseException:
        for completer in completers:
            completer.close()
        raise


def body_from_chat_reply(reply: str) -> str:
    """The `make_walker` body in a chat model's reply: the code of its first
    fenced block (or the whole reply), after the last `def make_walker`
    line if it wrote the function whole, indented if it forgot to."""
    fenced = re.search(r"```[^\n]*\n(.*?)(?:```|$)", reply, re.DOTALL)
    code = fenced.group(1) if fenced else reply
    lines = code.split("\n")
    starts = [index for index, line in enumerate(lines) if line.startswith("def make_walker(")]
    if starts:
        lines = lines[starts[-1] + 1 :]
    code = "\n".join(lines)
    if not any(line[:1].isspace() for line in lines if line.strip()):
        code = textwrap.indent(code, "    ")
    return trim_to_function_body(code)


def _json_object(response: httpx.Response, url: str) -> dict[str, Any]:
    try:
        value = response.json()
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise CompletionError(f"the endpoint {url} answered with something other than JSON")
    return value


def _error_message(response: httpx.Response) -> str:
    """The server's error text, on one line and short."""
    try:
        text = response.text
        value = response.json()
    except (ValueError, httpx.ResponseNotRead):
        value = None
        text = ""
    if isinstance(value, dict):
        error = value.get("error", value.get("detail", value.get("message")))
        if isinstance(error, dict):
            error = error.get("message", error)
        text = str(error) if error is not None else text
    line = " ".join(text.split())
    return line if len(line) <= 200 else line[:197] + "..."


def _transport_failure(error: httpx.TransportError) -> str:
    reason = " ".join(str(error).split()) or type(error).__name__
    return f"{type(error).__name__}: {reason}" if reason != type(error).__name__ else reason


def _retry_after_seconds(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("retry-after", "")))
    except ValueError:
        return None


def _backoff_seconds(attempt: int, retry_after: float | None) -> float:
    """Exponential with jitter (timing only: no effect on what is generated)."""
    wait: float = min(BACKOFF_FIRST_S * 2.0**attempt, BACKOFF_MAX_S) * random.uniform(0.75, 1.0)
    return max(wait, min(retry_after, BACKOFF_MAX_S * 4)) if retry_after is not None else wait
