"""What every language-model backend returns, and the text rules they share.

Backends (the transformers engine, the llama.cpp engine, an OpenAI-compatible
endpoint) each write `make_walker` bodies and return `Completion`s. This
module imports neither torch nor an HTTP client, so a run that talks to a
server never loads the in-process engines.
"""

from __future__ import annotations

from dataclasses import dataclass

from openelm.errors import OpenelmError
from openelm.records import CompletionStop

# Why a completion ended. The run store records it with each child, so the
# enum lives in openelm.records (a leaf module); the engines name it StopReason.
StopReason = CompletionStop

# The top-k of the in-process engines (transformers' default too), also
# asked of servers that take it.
DEFAULT_TOP_K = 50


@dataclass(frozen=True)
class Completion:
    """One sampled function body. `prompt_tokens` counts the prompt tokens
    run through the model; `completion_tokens` every generated token,
    including the one that ended the body or the end-of-sequence token.
    A prompt that did not fit the model's context comes back with
    `stopped` CONTEXT_OVERFLOW, an empty text and no tokens."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    stopped: StopReason


class CompletionError(OpenelmError):
    """A backend could not complete a batch (a server that stays down after
    the retries, or that refuses the request). The batch is lost; what the
    run committed before it is not."""


def trim_to_function_body(text: str) -> str:
    """The body lines of `text`, up to the first non-empty column-0 line,
    without trailing blank lines; '' when there is no body."""
    body_lines: list[str] = []
    for line in text.split("\n"):
        if line.strip() and not line[0].isspace():
            break
        body_lines.append(line)
    body = "\n".join(body_lines).rstrip()
    return body + "\n" if body else ""


def ends_scope(text: str) -> bool:
    """True when `text` holds a non-empty line at column 0: the body is over."""
    return any(line.strip() and not line[0].isspace() for line in text.split("\n"))


def split_trailing_whitespace(prompt: str) -> tuple[str, str]:
    """`prompt` without its trailing whitespace, and that whitespace.

    Backends that tokenize text themselves (llama.cpp, a server) get the
    prompt without it: a prompt that ends in a bare newline token makes a
    small model start the next line at column 0, ending the body before it
    begins. Without it the model writes the newline and the indentation as
    one token, as in real code (`healing.py` does the same on token ids)."""
    stripped = prompt.rstrip(" \t\n")
    return stripped, prompt[len(stripped) :]


def body_after_healing(generated: str, healed: str) -> str:
    """The `make_walker` body in text generated after a prompt whose
    trailing whitespace `healed` was taken off."""
    if healed and generated.startswith(healed):
        generated = generated[len(healed) :]
    elif healed.endswith("\n") and generated.startswith("\n"):
        generated = generated[1:]
    return trim_to_function_body(generated)


@dataclass
class GenerationStats:
    """Token counts and wall time. `prompt_tokens` counts each completion's
    prompt; `prefill_tokens` the prompt tokens actually computed (each
    unique prompt once, and a head shared by a prefill batch once)."""

    prompt_tokens: int = 0
    prefill_tokens: int = 0
    completion_tokens: int = 0
    completions: int = 0
    seconds: float = 0.0
    # Prompt-lookup drafts (the transformers engine): tokens fed, and those kept.
    drafted_tokens: int = 0
    accepted_draft_tokens: int = 0

    @property
    def completion_tokens_per_second(self) -> float:
        return self.completion_tokens / self.seconds if self.seconds > 0 else 0.0

    def add(self, other: GenerationStats) -> None:
        self.prompt_tokens += other.prompt_tokens
        self.prefill_tokens += other.prefill_tokens
        self.completion_tokens += other.completion_tokens
        self.completions += other.completions
        self.seconds += other.seconds
        self.drafted_tokens += other.drafted_tokens
        self.accepted_draft_tokens += other.accepted_draft_tokens
