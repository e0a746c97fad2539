"""The one sentence each analytics page opens with: what it found, from the page's own figures.

Each takes what its page shows and says the main thing in plain words, or why there is nothing to say yet.
Percentages are whole numbers; a relative difference is computed from the unrounded rates.
"""

from outcomes.stats import Outcomes

from .accuracy import Accuracy
from .segments import Segments
from .trait_types import Discovery


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def _compared(fit: float, others: float, *, less: str, more: str, same: str) -> str:
    """How ``fit`` stands against ``others``, relative to the others: "12% less", "twice as", "as often"."""
    if round(fit * 100) == round(others * 100):
        return same
    if others == 0:
        return more
    change = round(abs(fit - others) / others * 100)
    return f"{change}% {less if fit < others else more}"


def segments_headline(compared: Segments) -> str:
    """Fit against not fit: their churn if both have clients, else their conversion, else why neither."""
    fit, others = (segment.outcomes for segment in compared.segments[1:3])
    if not fit.customers and not others.customers:
        return "No customer is scored by this version yet, so there is nothing to compare."
    if not fit.customers:
        return (
            f"No customer fits the ICP yet (a score of {compared.threshold} or more), so there is nothing to compare."
        )
    if not others.customers:
        return "Every scored customer fits the ICP, so there is no one to compare them with."
    if fit.clients and others.clients:
        return _churn_sentence(fit, others)
    if fit.won + fit.lost and others.won + others.lost:
        return _conversion_sentence(fit, others)
    return "Neither those who fit the ICP nor the others have enough churn or deal outcomes yet to compare them."


def _churn_sentence(fit: Outcomes, others: Outcomes) -> str:
    fit_rate, other_rate = fit.churned / fit.clients, others.churned / others.clients
    how = _compared(fit_rate, other_rate, less="less", more="more", same="as often as")
    verb = "churned" if how == "as often as" else f"churned {how} than"
    return f"Customers who fit the ICP {verb} the others ({_percent(fit_rate)} against {_percent(other_rate)})."


def _conversion_sentence(fit: Outcomes, others: Outcomes) -> str:
    fit_rate, other_rate = fit.won / (fit.won + fit.lost), others.won / (others.won + others.lost)
    how = _compared(fit_rate, other_rate, less="fewer", more="more", same="as many")
    ending = "as the others" if how == "as many" else "than the others"
    return (
        f"Accounts that fit the ICP won {how} of their decided deals {ending} "
        f"({_percent(fit_rate)} against {_percent(other_rate)})."
    )


def accuracy_headline(accuracy: Accuracy) -> str:
    """How often the score ranks a won deal above a lost one (the AUC), in words."""
    auc = accuracy.published.auc
    if auc.value is None:
        return "There are not yet both won and lost deals among the scored customers, so the score cannot be checked."
    label = accuracy.published.label
    share = _percent(auc.value)
    if auc.value >= 0.6:
        verdict = "it separates good customers from the others"
    elif auc.value > 0.4:
        verdict = "little better than chance"
    else:
        verdict = "worse than chance: it favours the deals that were lost"
    return (
        f"The score of {label} ranks a won deal above a lost one {share} of the time "
        f"({auc.positives + auc.negatives:,} decided deals): {verdict}."
    )


def traits_headline(discovery: Discovery) -> str:
    """How many traits the best customers share, and the strongest of them."""
    if not discovery.best_total:
        return f"No customer is among the best ({discovery.basis.label.lower()}) yet, so they share no trait."
    significant = discovery.significant
    if not significant:
        return (
            f"No trait sets the {discovery.best_total:,} best customers apart from all "
            f"{discovery.everyone_total:,} customers: none is clearly more or less common among them."
        )
    strongest = max(significant, key=lambda trait: trait.strength)
    traits = "trait sets" if len(significant) == 1 else "traits set"
    return (
        f"{len(significant)} {traits} the {discovery.best_total:,} best customers apart; the strongest is "
        f"{strongest.rule} ({_percent(strongest.share_best)} of them against {_percent(strongest.share_all)} of all "
        f"{discovery.everyone_total:,} customers)."
    )
