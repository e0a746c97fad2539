"""Merging duplicate proposals, and undoing a merge.

A merge moves the votes, picks and comments of the merged proposal to the kept one; the merged one stays, marked
"merged into …", and takes no more votes. Someone who voted (or picked) on both keeps the one on the kept
proposal and gets the other back (a dot to place again). What moved and what was given back is written down
(``ProposalMerge``), so undoing the merge restores both proposals exactly as they were.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from profiles.models import ItemStatus
from teams.models import User

from ..access import require_facilitator
from ..models import Comment, Proposal, ProposalChange, ProposalMerge, Vote, WeightPick, Workshop
from .room import WorkshopRefused, workshop_touch


def _short(proposal: Proposal) -> str:
    return str(proposal)[:80]


def _history(proposal: Proposal, user: User, what: str) -> None:
    ProposalChange.objects.create(proposal=proposal, by=user, by_facilitator=True, what=what[:300])


def _moved_or_returned(rows, kept: Proposal, fields: tuple[str, ...]) -> tuple[list[int], list[dict]]:
    """Of the merged proposal's votes (or picks): the ids that move to ``kept``, and those given back (their
    voter has one on ``kept`` already), as they were."""
    on_kept = set(rows.model.objects.filter(proposal=kept).values_list("voter_id", flat=True))
    moved, returned = [], []
    for row in rows.order_by("id"):
        if row.voter_id in on_kept:
            returned.append({name: getattr(row, name) for name in fields} | {"created_at": row.created_at.isoformat()})
        else:
            moved.append(row.pk)
    return moved, returned


def _locked(workshop_id: int, user: User) -> Workshop:
    workshop = Workshop.objects.select_for_update().get(pk=workshop_id)
    require_facilitator(workshop, user)
    if workshop.is_closed:
        raise WorkshopRefused("The workshop is closed: reopen it first.")
    return workshop


@transaction.atomic
def proposal_merge(*, proposal: Proposal, into: Proposal, user: User) -> ProposalMerge:
    """Merge ``proposal`` into ``into`` (the kept one): both proposed, in the same step, of the same kind."""
    workshop = _locked(proposal.step.workshop_id, user)
    merged = Proposal.objects.select_related("step").get(pk=proposal.pk)
    kept = Proposal.objects.select_related("step").get(pk=into.pk)
    if merged.pk == kept.pk:
        raise WorkshopRefused("Choose another proposal to merge it into.")
    if merged.step_id != kept.step_id or kept.step.workshop_id != workshop.pk:
        raise WorkshopRefused("Only proposals of the same step are merged.")
    if merged.kind != kept.kind:
        raise WorkshopRefused("An item and a criterion weight are not the same thing: they are not merged.")
    if merged.step.status == "closed":
        raise WorkshopRefused("This step is closed: its proposals stay as they are.")
    if merged.step.is_hidden:
        raise WorkshopRefused("The step's proposals are hidden: reveal them first, then merge.")
    for one in (merged, kept):
        if one.merged_into_id is not None:
            raise WorkshopRefused(f"“{_short(one)}” is already merged into another proposal.")
        if one.status != ItemStatus.PROPOSED:
            raise WorkshopRefused(
                f"“{_short(one)}” is already {one.get_status_display().lower()}: open it again first."
            )
    moved_votes, returned_votes = _moved_or_returned(merged.votes.all(), kept, ("voter_id", "voter_team_id", "value"))
    moved_picks, returned_picks = _moved_or_returned(merged.picks.all(), kept, ("voter_id", "voter_team_id", "points"))
    moved_comments = list(merged.comments.order_by("id").values_list("pk", flat=True))
    Vote.objects.filter(pk__in=moved_votes).update(proposal=kept)
    Vote.objects.filter(proposal=merged).delete()
    WeightPick.objects.filter(pk__in=moved_picks).update(proposal=kept)
    WeightPick.objects.filter(proposal=merged).delete()
    Comment.objects.filter(pk__in=moved_comments).update(proposal=kept)
    Proposal.objects.filter(pk=merged.pk).update(merged_into=kept, revision=F("revision") + 1)
    Proposal.objects.filter(pk=kept.pk).update(revision=F("revision") + 1)
    merge = ProposalMerge.objects.create(
        kept=kept,
        merged=merged,
        by=user,
        moved={"votes": moved_votes, "picks": moved_picks, "comments": moved_comments},
        returned={"votes": returned_votes, "picks": returned_picks},
    )
    _history(merged, user, f"merged it into “{_short(kept)}”")
    _history(kept, user, f"merged “{_short(merged)}” into it")
    workshop_touch(workshop.pk)
    return merge


@transaction.atomic
def proposal_merge_undo(*, proposal: Proposal, user: User) -> bool:
    """Undo the merge of ``proposal`` (the merged one): its votes, picks and comments go back, and so do those
    given back. Returns False when it is not merged (a double click changes nothing).

    Refused (nothing changed) when someone placed the dot they got back elsewhere and has none left for it.
    """
    workshop = _locked(proposal.step.workshop_id, user)
    merge = ProposalMerge.objects.filter(merged_id=proposal.pk, undone_at__isnull=True).select_related(
        "merged__step", "kept"
    )
    merge = merge.order_by("-at", "-id").first()
    if merge is None:
        return False
    merged, kept = merge.merged, merge.kept
    if merged.step.status == "closed":
        raise WorkshopRefused("This step is closed: its proposals stay as they are.")
    if workshop.uses_dots:
        for vote in merge.returned.get("votes", []):
            spent = Vote.objects.filter(voter_id=vote["voter_id"], proposal__step_id=merged.step_id).count()
            if spent >= workshop.dots_per_step:
                voter = User.objects.get(pk=vote["voter_id"])
                raise WorkshopRefused(
                    f"{voter.display_name} has placed the dot they got back: the merge cannot be undone until "
                    "they take one back. Nothing changed."
                )
    Vote.objects.filter(pk__in=merge.moved.get("votes", []), proposal=kept).update(proposal=merged)
    WeightPick.objects.filter(pk__in=merge.moved.get("picks", []), proposal=kept).update(proposal=merged)
    Comment.objects.filter(pk__in=merge.moved.get("comments", []), proposal=kept).update(proposal=merged)
    for model, name, rows in (
        (Vote, "value", merge.returned.get("votes", [])),
        (WeightPick, "points", merge.returned.get("picks", [])),
    ):
        for row in rows:
            restored = model.objects.create(
                proposal=merged, voter_id=row["voter_id"], voter_team_id=row["voter_team_id"], **{name: row[name]}
            )
            model.objects.filter(pk=restored.pk).update(created_at=row["created_at"])
    Proposal.objects.filter(pk=merged.pk).update(merged_into=None, revision=F("revision") + 1)
    Proposal.objects.filter(pk=kept.pk).update(revision=F("revision") + 1)
    ProposalMerge.objects.filter(pk=merge.pk).update(undone_at=timezone.now())
    _history(merged, user, f"undid its merge into “{_short(kept)}”")
    _history(kept, user, f"undid the merge of “{_short(merged)}” into it")
    workshop_touch(workshop.pk)
    return True
