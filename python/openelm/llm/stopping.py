"""Where a completion of `def make_walker():` ends.

The prompt ends with `def make_walker():\\n`, so the completion is the
function's body. The body ends at the first non-empty line that starts at
column 0: a dedent back to module level. `ScopeEndDetector` spots that line
while tokens are generated, so the row can stop; `trim_to_function_body`
cuts the finished text there. (A column-0 comment also ends the body: the
rule is about lines, not Python's tokenizer, and it matches what a mutation
should produce.)
"""

from __future__ import annotations

from collections.abc import Iterable

from transformers import PreTrainedTokenizerBase

from openelm.llm.completion import StopReason, trim_to_function_body

__all__ = [
    "ScopeEndDetector",
    "StopReason",
    "eos_token_ids",
    "newline_token_ids",
    "trim_to_function_body",
]


def newline_token_ids(vocabulary: list[str]) -> frozenset[int]:
    """Ids of the tokens whose text (see `healing.decoded_vocabulary`) holds a
    newline. Tokens decoded alone are fine for this: '\\n' is one byte and
    never split across tokens."""
    return frozenset(token_id for token_id, text in enumerate(vocabulary) if "\n" in text)


class ScopeEndDetector:
    """Follows one completion token by token and reports the dedent to column 0.

    Only the text of the current line matters, and only until its first
    character is known. So the detector keeps the tokens since the last
    newline while the line is still empty, decodes just those (decoding the
    newline token with them keeps SentencePiece tokenizers from dropping a
    leading space), and ignores the rest of an indented line.
    """

    def __init__(
        self,
        tokenizer: PreTrainedTokenizerBase,
        newline_ids: frozenset[int],
        last_prompt_token: int,
    ) -> None:
        self._tokenizer = tokenizer
        self._newline_ids = newline_ids
        # Tokens from the newline that opened the current line; None once the
        # line is known to start with whitespace (or the prompt ended mid-line).
        self._open_line: list[int] | None = (
            [last_prompt_token] if last_prompt_token in newline_ids else None
        )

    def feed(self, token_id: int) -> bool:
        """Take the next token; True when it starts a module-level line."""
        if token_id in self._newline_ids:
            self._open_line = [token_id]
        elif self._open_line is None:
            return False
        else:
            self._open_line.append(token_id)
        text = self._tokenizer.decode(self._open_line, clean_up_tokenization_spaces=False)
        assert isinstance(text, str)  # one sequence decodes to one string
        line = text[text.rfind("\n") + 1 :]
        if not line:
            return False
        if line[0].isspace():
            self._open_line = None
            return False
        return True


def eos_token_ids(
    tokenizer: PreTrainedTokenizerBase, configured: int | Iterable[int] | None
) -> frozenset[int]:
    """End-of-sequence ids: the generation config's (one or a list) plus the tokenizer's."""
    ids: set[int] = set()
    if isinstance(configured, int):
        ids.add(configured)
    elif configured is not None:
        ids.update(configured)
    if tokenizer.eos_token_id is not None:
        ids.add(tokenizer.eos_token_id)
    return frozenset(ids)
