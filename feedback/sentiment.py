"""A comment's sentiment. Stored as VADER's compound score (-1..1, an answer's ``sentiment``); shown everywhere
on one scale, -100 (negative) to 100 (positive): an answer's, the customer's average (``sentiment_percent``)
and the at-risk threshold.

Each sentence is scored with VADER's compound score (offline, from the lexicon the package ships, with a few
words of customer feedback added: "support" is a team, not praise; "slow", "buggy", "expensive" are
complaints), and the comment's score is the mean of the sentences that say something (|score| >= 0.05): one
neutral sentence does not water down two complaints. Rules over a fixed lexicon: the same text always gets the
same score. tests/test_sentiment_labelled.py holds it to a small set of comments labelled by hand.
"""

import functools
import re
import statistics

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

# Valence on VADER's scale (-4..4). "support" is removed: in feedback it names the team ("support is slow").
FEEDBACK_WORDS = {
    "slow": -1.6,
    "slower": -1.6,
    "sluggish": -1.6,
    "laggy": -1.6,
    "buggy": -2.0,
    "bugs": -1.5,
    "crashes": -2.0,
    "crashing": -2.0,
    "clunky": -1.6,
    "unreliable": -2.0,
    "downtime": -1.6,
    "expensive": -1.5,
    "overpriced": -2.0,
    "pricey": -1.2,
    "outage": -1.8,
    "outages": -1.8,
    "unresponsive": -1.8,
    "intuitive": 1.8,
    "seamless": 1.9,
    "responsive": 1.4,
}
NOT_SENTIMENT = ("support",)
SAYS_SOMETHING = 0.05
# Sentence ends: . ! ? and the ellipsis (… or ...), a semicolon, or a line break.
_SENTENCE_END = re.compile(r"(?:[.!?]+|…|;|\n)+")


@functools.cache
def _analyzer() -> SentimentIntensityAnalyzer:
    analyzer = SentimentIntensityAnalyzer()  # reads the lexicon once per process
    analyzer.lexicon.update(FEEDBACK_WORDS)
    for word in NOT_SENTIMENT:
        analyzer.lexicon.pop(word, None)
    return analyzer


def comment_sentences(comment: str) -> list[str]:
    return [" ".join(part.split()) for part in _SENTENCE_END.split(comment) if part.strip()]


def comment_sentiment(comment: str) -> float | None:
    """The comment's compound score (-1..1), rounded to 4 places; None for a comment with no words."""
    sentences = comment_sentences(comment)
    if not sentences:
        return None
    scores = [_analyzer().polarity_scores(sentence)["compound"] for sentence in sentences]
    saying = [score for score in scores if abs(score) >= SAYS_SOMETHING]
    return round(statistics.fmean(saying), 4) if saying else 0.0


def sentiment_percent(compound: float) -> int:
    """A compound score (-1..1) as -100..100, rounded half away from zero."""
    scaled = compound * 100
    whole = int(abs(scaled) + 0.5)
    return max(-100, min(100, whole if scaled >= 0 else -whole))
