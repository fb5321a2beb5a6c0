"""A tiny randomly initialised Llama and an offline tokenizer, shared by the
language-model and evolve tests: no download, built in about 0.1 s."""

from __future__ import annotations

from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

EOS_TOKEN = "<|endoftext|>"

WALKER_PROMPT = """# Walker API:
#   wc = walker_creator()  starts an empty walker body.
#   j = wc.add_joint(x, y)  adds a point mass at (x, y) and returns its handle.
#   wc.add_muscle(j0, j1, amplitude=0.0, phase=0.0)  connects two joints.
#   wc.get_walker()  returns the finished walker.
import math


def make_walker():
    wc = walker_creator()
    corners = []
    for x, y in [(0, 0), (0, 10), (10, 10), (10, 0)]:
        corners.append(wc.add_joint(x, y))
    center = wc.add_joint(5, 5)
    for i in range(len(corners)):
        wc.add_muscle(corners[i], corners[(i + 1) % len(corners)])
    for i, amplitude in enumerate([4.0, 2.0, 1.0]):
        wc.add_muscle(center, corners[i], amplitude=amplitude, phase=0.25 * i)
    return wc.get_walker()


# Create a new walker by modifying the starting function above.
def make_walker():
"""

_TRAINING_TEXT = [
    WALKER_PROMPT,
    "    wc = walker_creator()\n    a = wc.add_joint(0, 0)\n    b = wc.add_joint(4, 0)\n"
    "    wc.add_muscle(a, b, amplitude=2.0, phase=0.5)\n    return wc.get_walker()\n\n\nprint(make_walker())\n",
    "def helper(wc, n):\n    for i in range(n):\n        x = math.cos(2 * math.pi * i / n)\n"
    "        y = math.sin(2 * math.pi * i / n)\n        wc.add_joint(x, y)\n    return wc\n",
]


def build_tokenizer() -> PreTrainedTokenizerFast:
    """A small byte-level BPE tokenizer trained on walker code (GPT-2 style,
    like SmolLM2's): newlines merge with the indentation that follows."""
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=420,
        special_tokens=[EOS_TOKEN],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(_TRAINING_TEXT * 4, trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, eos_token=EOS_TOKEN, pad_token=EOS_TOKEN
    )


def build_tiny_model_dir(directory: Path) -> Path:
    tokenizer = build_tokenizer()
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=2048,
        # Large initial weights give peaked next-token distributions, so
        # greedy choices are not decided by rounding noise.
        initializer_range=0.5,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.eos_token_id,
    )
    torch.manual_seed(1234)
    model = LlamaForCausalLM(config)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory
