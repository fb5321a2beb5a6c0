"""Token healing for prompts that end in whitespace.

Our prompts end with `def make_walker():\\n`. Tokenized alone, that final
newline is a bare '\\n' token, but in real code a newline is merged with the
next line's indentation ('\\n    ' is one token). After a bare '\\n' token
the model has learned that the next line starts at column 0: SmolLM2 puts
98% of its mass there, and every completion would end before its body.

So a trailing whitespace token is taken off the prompt, and the first
generated token must start with its text. The model then picks '\\n    '
itself, and the completion text drops the re-generated prefix.

Fine-tuning tokenizes its examples the same way (`healed_split`): a model
trained on a bare '\\n' then '    import' never sees the prompt that
generation gives it, and wrote what the base model writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from transformers import PreTrainedTokenizerBase


def decoded_vocabulary(tokenizer: PreTrainedTokenizerBase, vocab_size: int) -> list[str]:
    """The text of every token id below `vocab_size`, decoded on its own
    ('' for ids the tokenizer does not know)."""
    known = min(len(tokenizer), vocab_size)
    texts = tokenizer.batch_decode(
        [[token_id] for token_id in range(known)], clean_up_tokenization_spaces=False
    )
    return texts + [""] * (vocab_size - known)


@dataclass(frozen=True)
class HealedPrompt:
    """What to prefill (`token_ids`), the text taken off the end
    (`healed_text`, '' if none) and the token ids the first generated token
    must come from (None: any)."""

    token_ids: list[int]
    healed_text: str
    first_token_ids: list[int] | None


def healed_split(token_ids: list[int], text_of: Callable[[int], str]) -> tuple[list[int], str]:
    """(the prompt's ids without a trailing whitespace token, that token's
    text), or (the ids, '') when the last token is not whitespace or is the
    whole prompt. `text_of` decodes one token id."""
    last_text = text_of(token_ids[-1]) if len(token_ids) > 1 else ""
    if not last_text or not last_text.isspace():
        return token_ids, ""
    return token_ids[:-1], last_text


def heal_prompt(token_ids: list[int], vocabulary: list[str]) -> HealedPrompt:
    kept, healed_text = healed_split(token_ids, vocabulary.__getitem__)
    if not healed_text:
        return HealedPrompt(token_ids=token_ids, healed_text="", first_token_ids=None)
    allowed = [token_id for token_id, text in enumerate(vocabulary) if text.startswith(healed_text)]
    return HealedPrompt(token_ids=kept, healed_text=healed_text, first_token_ids=allowed)
