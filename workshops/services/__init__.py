"""Everything workshops writes, one module per concept:

- ``room``: the workshop and its room: participants, steps opened and closed, proposals, votes, comments;
- ``agenda``: the agenda (steps added, edited, moved, removed) and a step's timer;
- ``privacy``: how a step runs (open, private, weight poker), its reveal, and the poker picks;
- ``merging``: two proposals merged into one, and the merge undone;
- ``closing``: closing the workshop (what was agreed becomes profile items and a rubric draft), and reopening;
- ``presence``: the note that a person is in the room (``Participant.last_seen_at``);
- ``follow``: "Stay here" and "Follow the facilitator", kept in the person's session.

Reads are in selectors.py and in the modules named for what they compute (privacy, presence, summary, tally, ...).
"""
