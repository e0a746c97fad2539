"""A comment's sentiment: VADER's compound score (-1 to 1), offline, from the lexicon the package ships.

VADER is rules over a fixed lexicon, so the same text always gets the same score.
"""

import functools

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer


@functools.cache
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()  # reads the lexicon once per process


def comment_sentiment(comment: str) -> float | None:
    """The compound score of ``comment``, rounded to 4 places; None for a comment with no words."""
    text = " ".join(comment.split())
    if not text:
        return None
    return round(_analyzer().polarity_scores(text)["compound"], 4)


def sentiment_percent(compound: float) -> int:
    """A compound score as -100..100, rounded half away from zero (as the customer's ``sentiment`` keeps it)."""
    scaled = compound * 100
    whole = int(abs(scaled) + 0.5)
    return max(-100, min(100, whole if scaled >= 0 else -whole))
