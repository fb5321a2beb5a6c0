"""Prompt-lookup drafts: guesses of a completion's next tokens, copied from its own context.

A mutated program is mostly its parent: the model copies long runs of the
prompt's code (measured on `bench/llm.py`'s 32 distinct prompts with
SmolLM2 at temperature 0.8: 64 completions, 5,937 tokens, and a draft of up
to 8 tokens taken after the latest earlier occurrence of the last 3, 2 or 1
tokens would have let 3.3 tokens through per forward pass). A draft costs
no model: the decode loop feeds it alongside the row's latest token, and
keeps the longest head of it that the row's own sampling agrees with
(`decode.py`), so drafts change the speed, not the distribution.

Each prompt's n-grams are indexed once (`PromptIndex`, shared by its
rows); each row indexes the n-grams of its generated tokens
(`PromptLookupDrafter`), whose occurrences are later and so preferred.
"""

from __future__ import annotations

from collections.abc import Sequence

# The longest n-gram looked up first: longer ones match less often, shorter
# ones (down to a single token) still predict well inside copied code.
_MAX_NGRAM = 3


class PromptIndex:
    """For every n-gram of a prompt (n = 1.._MAX_NGRAM), where its latest
    occurrence is followed: the position of the token after it."""

    def __init__(self, token_ids: Sequence[int]) -> None:
        self.token_ids = list(token_ids)
        self.next_position: dict[tuple[int, ...], int] = {}
        for end in range(1, len(self.token_ids)):
            for n in range(1, min(_MAX_NGRAM, end) + 1):
                self.next_position[tuple(self.token_ids[end - n : end])] = end


class PromptLookupDrafter:
    """Drafts the continuation of one row: its prompt, then its generated tokens."""

    def __init__(self, prompt: PromptIndex) -> None:
        self._prompt = prompt
        self._tokens = list(prompt.token_ids)  # prompt, then generated
        self._own_next_position: dict[tuple[int, ...], int] = {}

    def extend(self, token_id: int) -> None:
        """Record the row's next generated token."""
        tokens = self._tokens
        tokens.append(token_id)
        end = len(tokens) - 1  # the new token follows the n-grams ending here
        for n in range(1, min(_MAX_NGRAM, end) + 1):
            self._own_next_position[tuple(tokens[end - n : end])] = end

    def propose(self, max_tokens: int) -> list[int]:
        """Up to `max_tokens` tokens that followed the latest earlier occurrence
        of the row's last n tokens (the longest n that occurred); [] if none."""
        if max_tokens < 1:
            return []
        tokens = self._tokens
        for n in range(min(_MAX_NGRAM, len(tokens)), 0, -1):
            key = tuple(tokens[-n:])
            position = self._own_next_position.get(key)
            if position is None:
                position = self._prompt.next_position.get(key)
            if position is not None:
                return tokens[position : position + max_tokens]
        return []
