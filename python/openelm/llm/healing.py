"""Token healing for prompts that end in whitespace.

Our prompts end with `def make_walker():\\n`. Tokenized alone, that final
newline is a bare '\\n' token, but in real code a newline is merged with the
next line's indentation ('\\n    ' is one token). After a bare '\\n' token
the model has learned that the next line starts at column 0: SmolLM2 puts
98% of its mass there, and every completion would end before its body.

So a trailing whitespace token is taken off the prompt, and the first
generated token must start with its text. The model then picks '\\n    '
itself, and the completion text drops the re-generated prefix.
"""

from __future__ import annotations

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


def heal_prompt(token_ids: list[int], vocabulary: list[str]) -> HealedPrompt:
    last_text = vocabulary[token_ids[-1]] if len(token_ids) > 1 else ""
    if not last_text or not last_text.isspace():
        return HealedPrompt(token_ids=token_ids, healed_text="", first_token_ids=None)
    allowed = [token_id for token_id, text in enumerate(vocabulary) if text.startswith(last_text)]
    return HealedPrompt(token_ids=token_ids[:-1], healed_text=last_text, first_token_ids=allowed)
