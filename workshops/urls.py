from django.urls import path

from . import agenda_views, facilitator_views, people_views, room_views, views, weights_views

app_name = "workshops"

urlpatterns = [
    # Participants (views.py).
    path("", views.workshop_list, name="list"),
    path("new/", views.workshop_new, name="create"),
    path("<int:workshop_id>/", views.workshop_detail, name="detail"),
    path("steps/<int:step_id>/", views.step_page, name="step"),
    path("steps/<int:step_id>/proposals/", views.proposals_fragment, name="proposals"),
    path("steps/<int:step_id>/bar/", views.bar_fragment, name="bar"),
    path("steps/<int:step_id>/propose/", views.propose, name="propose"),
    path("steps/<int:step_id>/stay/", views.stay, name="stay"),
    path("steps/<int:step_id>/follow/", views.follow, name="follow"),
    path("proposals/<int:proposal_id>/edit/", views.proposal_edit_view, name="proposal_edit"),
    path("proposals/<int:proposal_id>/comment/", views.comment_view, name="comment"),
    path("proposals/<int:proposal_id>/vote/", views.vote, name="vote"),
    path("proposals/<int:proposal_id>/unvote/", views.unvote, name="unvote"),
    # A proposal's history, poker picks, private steps and merges (room_views.py).
    path("proposals/<int:proposal_id>/history/", room_views.history, name="proposal_history"),
    path("proposals/<int:proposal_id>/pick/", room_views.pick, name="pick"),
    path("steps/<int:step_id>/privacy/", room_views.privacy, name="step_privacy"),
    path("steps/<int:step_id>/reveal/", room_views.reveal, name="step_reveal"),
    path("proposals/<int:proposal_id>/merge/", room_views.merge, name="merge"),
    path("proposals/<int:proposal_id>/unmerge/", room_views.unmerge, name="unmerge"),
    # The scoring step's rubric panel (weights_views.py).
    path("steps/<int:step_id>/evidence/", weights_views.evidence, name="evidence"),
    path("steps/<int:step_id>/suggested-weights/", weights_views.suggested_weights, name="suggested_weights"),
    path(
        "steps/<int:step_id>/criteria/<int:criterion_id>/points/", weights_views.propose_points, name="propose_points"
    ),
    # The facilitator (facilitator_views.py).
    path("steps/<int:step_id>/board/", facilitator_views.board, name="board"),
    path("steps/<int:step_id>/board/live/", facilitator_views.board_fragment, name="board_live"),
    path("steps/<int:step_id>/open/", facilitator_views.step_open_view, name="step_open"),
    path("steps/<int:step_id>/close/", facilitator_views.step_close_view, name="step_close"),
    path("steps/<int:step_id>/timer/", facilitator_views.step_timer, name="step_timer"),
    path("proposals/<int:proposal_id>/decide/", facilitator_views.decide, name="decide"),
    path("<int:workshop_id>/close/", facilitator_views.close, name="close"),
    path("<int:workshop_id>/reopen/", facilitator_views.reopen, name="reopen"),
    path("<int:workshop_id>/summary/", facilitator_views.summary, name="summary"),
    path("<int:workshop_id>/summary.md", facilitator_views.summary_export, name="summary_export"),
    # The agenda editor (agenda_views.py) and who is invited (people_views.py): the facilitator.
    path("<int:workshop_id>/agenda/", agenda_views.agenda, name="agenda"),
    path("<int:workshop_id>/agenda/add/", agenda_views.agenda_step_add, name="agenda_add"),
    path("steps/<int:step_id>/agenda/edit/", agenda_views.agenda_step_edit, name="agenda_edit"),
    path("steps/<int:step_id>/agenda/move/", agenda_views.agenda_step_move, name="agenda_move"),
    path("steps/<int:step_id>/agenda/remove/", agenda_views.agenda_step_remove, name="agenda_remove"),
    path("<int:workshop_id>/people/", people_views.people, name="people"),
    path("<int:workshop_id>/people/invite/", people_views.invite, name="invite"),
    path("<int:workshop_id>/people/<int:user_id>/remove/", people_views.uninvite, name="uninvite"),
]
