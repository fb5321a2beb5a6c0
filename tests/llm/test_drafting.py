"""Prompt-lookup drafts: what follows the latest earlier occurrence of the row's last n-gram."""

from __future__ import annotations

from openelm.llm.drafting import PromptIndex, PromptLookupDrafter


def test_the_longest_ngram_that_occurred_picks_the_continuation() -> None:
    # "1 2 3" occurs once, followed by 4 5; "2 3" alone also precedes 9.
    drafter = PromptLookupDrafter(PromptIndex([1, 2, 3, 4, 5, 7, 2, 3, 9, 1, 2]))
    drafter.extend(3)
    assert drafter.propose(2) == [4, 5]
    assert drafter.propose(0) == []


def test_the_latest_occurrence_wins_and_own_tokens_count() -> None:
    drafter = PromptLookupDrafter(PromptIndex([5, 6, 7, 5, 6, 8]))
    drafter.extend(5)
    drafter.extend(6)
    assert drafter.propose(3) == [8, 5, 6]  # the later "5 6" in the prompt
    drafter.extend(1)
    drafter.extend(5)
    drafter.extend(6)
    assert drafter.propose(3) == [1, 5, 6]  # now the row's own "5 6 1"


def test_no_draft_without_an_earlier_occurrence() -> None:
    drafter = PromptLookupDrafter(PromptIndex([1, 2, 3]))
    drafter.extend(4)
    assert drafter.propose(4) == []
