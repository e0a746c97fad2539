"""A workshop's outcome: who came (by team), what was agreed, rejected, and what stayed open.

``summary_build`` reads it from the database (stored in ``Workshop.summary`` when the workshop closes);
``summary_markdown`` writes it out as a Markdown file, every text escaped so that nobody's words turn
into markup.
"""

from django.db.models import Q

from ops.markdown import markdown_text
from profiles.models import ItemStatus

from .models import Participant, Privacy, Proposal, ProposalKind, Workshop


def _proposal_row(proposal: Proposal) -> dict:
    row = {
        "step": proposal.step.title,
        "kind": proposal.kind,
        "text": proposal.text,
        "author": proposal.author.display_name if proposal.author else "",
        "team": proposal.author_team.name if proposal.author_team else "",
    }
    if proposal.kind == ProposalKind.ITEM:
        row["section"] = proposal.section_label
        row["details"] = [
            [heading, cell]
            for heading, cell in zip(proposal.detail_headings, proposal.detail_cells, strict=True)
            if cell and cell not in proposal.text  # the parts the text does not already say
        ]
    else:
        row["criterion"] = proposal.criterion_label
        row["rule"] = proposal.rule
        row["points"] = proposal.points
    return row


def summary_build(workshop: Workshop) -> dict:
    seats = Participant.objects.filter(workshop=workshop).select_related("user", "team").order_by("team__name")
    attendance: dict[str, dict] = {}
    for seat in seats:
        team = attendance.setdefault(seat.team.name if seat.team else "No team", {"came": [], "missed": []})
        team["came" if seat.joined_at else "missed"].append(seat.user.display_name)
    # A step still hidden (private or poker, not revealed) shows nothing here; a merged proposal is in the kept one.
    hidden = Q(step__revealed_at__isnull=True) & ~Q(step__privacy=Privacy.OPEN)
    proposals = (
        Proposal.objects.filter(step__workshop=workshop, merged_into__isnull=True)
        .exclude(hidden)
        .select_related("step", "author", "author_team")
        .order_by("step__position", "created_at", "id")
    )
    outcome = {status: [] for status in ItemStatus.values}
    for proposal in proposals:
        outcome[proposal.status].append(_proposal_row(proposal))
    version = workshop.rubric_version
    return {
        "title": workshop.title,
        "profile": workshop.profile.name,
        "facilitator": workshop.facilitator.display_name if workshop.facilitator else "",
        "closed_at": workshop.closed_at.isoformat() if workshop.closed_at else None,
        "attendance": [{"team": name, **people} for name, people in attendance.items()],
        "agreed": outcome[ItemStatus.AGREED],
        "rejected": outcome[ItemStatus.REJECTED],
        "open": outcome[ItemStatus.PROPOSED],
        "rubric": {"name": version.rubric.name, "version": version.number, "id": version.pk} if version else None,
    }


def _md(text) -> str:
    """One line of what people wrote, escaped as every export escapes it (ops/markdown.py)."""
    return markdown_text(" ".join(str(text).split()))


def _lines(rows: list[dict]) -> list[str]:
    if not rows:
        return ["_None._", ""]
    lines = []
    for row in rows:
        who = f" ({_md(row['team'] or row['author'])})" if row["team"] or row["author"] else ""
        if row["kind"] == ProposalKind.ITEM:
            parts = "; ".join(f"{_md(label)}: {_md(value)}" for label, value in row.get("details") or [])
            parts = f" ({parts})" if parts else ""
            lines.append(f"- **{_md(row['section'])}**: {_md(row['text'])}{parts}{who}")
        else:
            reason = f": {_md(row['text'])}" if row["text"] else ""
            lines.append(f"- **{_md(row['criterion'])}** ({_md(row['rule'])}): {row['points']:+d} points{reason}{who}")
    return [*lines, ""]


def summary_markdown(summary: dict) -> str:
    lines = [f"# {_md(summary['title'])}", "", f"Profile: {_md(summary['profile'])}  "]
    lines.append(f"Facilitator: {_md(summary['facilitator'])}  ")
    if summary.get("closed_at"):
        lines.append(f"Closed: {summary['closed_at'][:16].replace('T', ' ')} UTC  ")
    lines += ["", "## Who came", ""]
    for team in summary["attendance"]:
        came = ", ".join(_md(name) for name in team["came"]) or "nobody"
        missed = (
            f" (invited, did not come: {', '.join(_md(name) for name in team['missed'])})" if team["missed"] else ""
        )
        lines.append(f"- **{_md(team['team'])}**: {came}{missed}")
    lines += ["", "## Agreed", "", *_lines(summary["agreed"])]
    if summary.get("rubric"):
        rubric = summary["rubric"]
        lines += [f"The agreed weights are in rubric “{_md(rubric['name'])}”, draft version {rubric['version']}.", ""]
    lines += ["## Rejected", "", *_lines(summary["rejected"])]
    lines += ["## Still open", "", *_lines(summary["open"])]
    return "\n".join(lines)
