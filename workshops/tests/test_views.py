"""The workshop pages through the test client: access, contention answers, live fragments, escaping."""

import pytest
from django.urls import reverse

from profiles.models import ItemStatus, Profile, Section
from teams.models import Role, Team
from workshops.models import Comment, Proposal, Vote, Workshop
from workshops.services.room import comment_add, participants_invite, proposal_edit, step_close, vote_cast
from workshops.tests.factories import item, person, running_workshop

pytestmark = pytest.mark.django_db


def _signed_in(client, user):
    client.force_login(user)
    return client


def _mutations(room, proposal):
    """Every POST of a workshop, with data that would go through for the right person."""
    step, workshop = room.step, room.workshop
    return [
        (reverse("workshops:propose", args=[step.pk]), {"section": Section.PAIN_POINTS, "text": "Mine"}),
        (reverse("workshops:proposal_edit", args=[proposal.pk]), {"revision": proposal.revision, "text": "Mine"}),
        (reverse("workshops:comment", args=[proposal.pk]), {"text": "Mine"}),
        (reverse("workshops:vote", args=[proposal.pk]), {"value": 1}),
        (reverse("workshops:unvote", args=[proposal.pk]), {}),
        (reverse("workshops:pick", args=[proposal.pk]), {"points": 2}),
    ], [
        (reverse("workshops:decide", args=[proposal.pk]), {"status": ItemStatus.AGREED}),
        (reverse("workshops:step_open", args=[step.pk]), {}),
        (reverse("workshops:step_close", args=[step.pk]), {}),
        (reverse("workshops:step_timer", args=[step.pk]), {"minutes": 5}),
        (reverse("workshops:close", args=[workshop.pk]), {"token": "0" * 32}),
        (reverse("workshops:reopen", args=[workshop.pk]), {}),
        (reverse("workshops:step_privacy", args=[step.pk]), {"privacy": "private"}),
        (reverse("workshops:step_reveal", args=[step.pk]), {}),
        (reverse("workshops:merge", args=[proposal.pk]), {"into": proposal.pk}),
        (reverse("workshops:unmerge", args=[proposal.pk]), {}),
    ]


@pytest.mark.parametrize("role", [Role.MEMBER, Role.FACILITATOR, Role.ADMIN, Role.SALES_REP])
def test_it_refuses_every_change_by_someone_not_invited_with_403(client, role):
    room = running_workshop()
    proposal = item(room)
    _signed_in(client, person(role, Team.SALES))
    participant_posts, facilitator_posts = _mutations(room, proposal)

    statuses = [client.post(url, data).status_code for url, data in participant_posts + facilitator_posts]

    assert statuses == [403] * len(statuses)
    assert Proposal.objects.get().text == "Spreadsheets break at scale"
    assert not Vote.objects.exists()
    assert not Comment.objects.exists()
    assert Workshop.objects.get().status == "running"


def test_it_refuses_the_facilitators_actions_to_a_participant_with_403(client):
    room = running_workshop()
    proposal = item(room)
    _signed_in(client, room.sales)
    _, facilitator_posts = _mutations(room, proposal)

    statuses = [client.post(url, data).status_code for url, data in facilitator_posts]

    assert statuses == [403] * len(statuses)
    assert Proposal.objects.get().status == ItemStatus.PROPOSED


def test_it_refuses_the_board_to_a_participant_and_the_pages_to_an_outsider(client):
    room = running_workshop()
    _signed_in(client, room.sales)
    assert client.get(reverse("workshops:board", args=[room.step.pk])).status_code == 403
    assert client.get(reverse("workshops:board_live", args=[room.step.pk])).status_code == 403

    _signed_in(client, person(Role.MEMBER, Team.SALES))
    for name in ("step", "proposals", "bar"):
        assert client.get(reverse(f"workshops:{name}", args=[room.step.pk])).status_code == 403
    assert client.get(reverse("workshops:summary", args=[room.workshop.pk])).status_code == 403


def test_it_answers_a_stale_edit_with_409_and_the_other_persons_text(client):
    room = running_workshop()
    proposal = item(room, text="Manual reporting")
    loaded = proposal.revision
    proposal_edit(proposal=proposal, user=room.facilitator, revision=loaded, text="Reporting every Monday by hand")
    _signed_in(client, room.marketing)

    response = client.post(
        reverse("workshops:proposal_edit", args=[proposal.pk]),
        {"revision": loaded, "text": "My rewording"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 409
    content = response.content.decode()
    assert "Reporting every Monday by hand" in content
    assert "My rewording" in content, "their own text stays in the box"
    assert Proposal.objects.get().text == "Reporting every Monday by hand"


def test_it_saves_an_edit_made_on_the_current_revision(client):
    room = running_workshop()
    proposal = item(room)
    _signed_in(client, room.marketing)

    response = client.post(
        reverse("workshops:proposal_edit", args=[proposal.pk]), {"revision": proposal.revision, "text": "Better"}
    )

    assert response.status_code == 302
    assert Proposal.objects.get().text == "Better"


def test_it_counts_a_double_click_on_vote_as_one_vote(client):
    room = running_workshop()
    proposal = item(room)
    _signed_in(client, room.sales)
    url = reverse("workshops:vote", args=[proposal.pk])

    first = client.post(url, {"value": 1}, headers={"HX-Request": "true"})
    second = client.post(url, {"value": 1}, headers={"HX-Request": "true"})

    assert (first.status_code, second.status_code) == (200, 200)
    assert Vote.objects.filter(proposal=proposal).count() == 1
    assert "You have <strong>2</strong> dots left" in second.content.decode()


def test_it_answers_409_when_the_dots_are_spent(client):
    room = running_workshop(dots=1)
    first, second = item(room, text="One"), item(room, text="Two")
    vote_cast(proposal=first, user=room.sales)
    _signed_in(client, room.sales)

    response = client.post(reverse("workshops:vote", args=[second.pk]), {"value": 1}, headers={"HX-Request": "true"})

    assert response.status_code == 409
    assert "all your 1 dots" in response.content.decode()
    assert not Vote.objects.filter(proposal=second).exists()


def test_it_answers_409_to_a_vote_on_a_closed_step(client):
    room = running_workshop()
    proposal = item(room)
    step_close(step=room.step, user=room.facilitator)
    _signed_in(client, room.sales)

    response = client.post(reverse("workshops:vote", args=[proposal.pk]), {"value": 1}, headers={"HX-Request": "true"})

    assert response.status_code == 409
    assert not Vote.objects.exists()


def test_it_renders_a_script_in_a_proposal_inert_for_everyone(client):
    room = running_workshop()
    script = '<script>document.title="owned"</script><img src=x onerror=alert(1)>'
    proposal = item(room, text=script)
    comment_add(proposal=proposal, user=room.marketing, text=script)

    pages = []
    _signed_in(client, room.sales)
    pages.append(client.get(reverse("workshops:step", args=[room.step.pk])))
    pages.append(client.get(reverse("workshops:proposals", args=[room.step.pk])))
    pages.append(client.get(reverse("workshops:summary", args=[room.workshop.pk])))
    _signed_in(client, room.facilitator)
    pages.append(client.get(reverse("workshops:board", args=[room.step.pk])))

    for page in pages:
        html = page.content.decode()
        assert "<script>document.title" not in html
        assert "<img src=x" not in html
        assert "&lt;script&gt;document.title=&quot;owned&quot;&lt;/script&gt;" in html


def test_it_answers_an_unchanged_poll_with_304_and_a_changed_one_with_the_region(client):
    room = running_workshop()
    _signed_in(client, room.sales)
    url = reverse("workshops:proposals", args=[room.step.pk])
    first = client.get(url, headers={"HX-Request": "true"})
    etag = first["ETag"]

    unchanged = client.get(url, headers={"HX-Request": "true", "If-None-Match": etag})
    item(room, text="Fresh idea")
    changed = client.get(url, headers={"HX-Request": "true", "If-None-Match": etag})

    assert first.status_code == 200
    assert "no-cache" in first["Cache-Control"]
    assert unchanged.status_code == 304
    assert unchanged["HX-Reswap"] == "none"
    assert unchanged.content == b""
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "Fresh idea" in changed.content.decode()


def test_the_step_bar_stays_304_while_people_propose_and_vote_and_changes_with_the_steps(client):
    room = running_workshop()
    _signed_in(client, room.sales)
    url = reverse("workshops:bar", args=[room.step.pk])
    etag = client.get(url, headers={"HX-Request": "true"})["ETag"]

    proposal = item(room, text="Fresh idea")
    vote_cast(proposal=proposal, user=room.sales, value=1)
    comment_add(proposal=proposal, user=room.sales, text="Agreed")
    after_votes = client.get(url, headers={"HX-Request": "true", "If-None-Match": etag})
    step_close(step=room.step, user=room.facilitator)
    after_close = client.get(url, headers={"HX-Request": "true", "If-None-Match": etag})

    assert after_votes.status_code == 304
    assert after_close.status_code == 200
    assert after_close["ETag"] != etag
    assert "closed" in after_close.content.decode()


def test_it_refuses_a_poll_to_an_outsider_even_with_a_current_etag(client):
    room = running_workshop()
    _signed_in(client, room.sales)
    url = reverse("workshops:proposals", args=[room.step.pk])
    etag = client.get(url)["ETag"]

    _signed_in(client, person(Role.MEMBER, Team.SALES))

    assert client.get(url, headers={"If-None-Match": etag}).status_code == 403


def test_it_polls_in_a_few_queries_when_nothing_changed(client, django_assert_max_num_queries):
    room = running_workshop()
    _signed_in(client, room.sales)
    url = reverse("workshops:proposals", args=[room.step.pk])
    etag = client.get(url)["ETag"]

    with django_assert_max_num_queries(4):
        assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_it_creates_a_workshop_with_the_people_invited_by_team(client):
    facilitator = person(Role.FACILITATOR, Team.MARKETING)
    invited = [person(Role.MEMBER, team) for team in (Team.SALES, Team.CUSTOMER_SUCCESS)]
    profile = Profile.objects.create(name="Mid-market SaaS")
    _signed_in(client, facilitator)
    form = client.get(reverse("workshops:create"))
    assert "Customer Success" in form.content.decode()

    response = client.post(
        reverse("workshops:create"),
        {
            "profile": profile.pk,
            "title": "Q3 ICP",
            "voting": "agree",
            "dots_per_step": 3,
            "invitees": [person.pk for person in invited],
        },
    )

    workshop = Workshop.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("workshops:board", args=[workshop.steps.first().pk])
    assert set(workshop.participants.values_list("user", flat=True)) == {person.pk for person in invited}
    assert workshop.facilitator == facilitator


def test_it_lists_only_the_workshops_a_person_is_in(client):
    room = running_workshop()
    other = running_workshop()
    _signed_in(client, room.sales)

    html = client.get(reverse("workshops:list")).content.decode()

    assert room.workshop.title in html
    assert other.workshop.title not in html


def test_it_shows_the_facilitator_the_votes_split_by_team(client):
    room = running_workshop()
    second_seller, second_marketer = person(Role.MEMBER, Team.SALES), person(Role.MEMBER, Team.MARKETING)
    participants_invite(workshop=room.workshop, users=[second_seller, second_marketer], user=room.facilitator)
    proposal, other = item(room), item(room, text="Renewals surprise us")
    for voter in (room.sales, second_seller, room.marketing, second_marketer):
        vote_cast(proposal=proposal, user=voter)
    vote_cast(proposal=other, user=room.success)
    _signed_in(client, room.facilitator)

    response = client.get(reverse("workshops:board", args=[room.step.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    # 4 dots; sales and marketing put all theirs on it (100 %), customer success none of its one (0 %).
    assert html.count('data-contested="true"') == 1
    assert 'data-team="Sales"' in html
    assert "(100%)" in html
    assert "(0%)" in html


def test_it_exports_the_summary_as_markdown(client):
    room = running_workshop()
    item(room, text="Open point")
    _signed_in(client, room.sales)

    response = client.get(reverse("workshops:summary_export", args=[room.workshop.pk]))

    assert response["Content-Type"].startswith("text/markdown")
    assert "attachment" in response["Content-Disposition"]
    assert "Open point" in response.content.decode()


def test_it_answers_htmx_with_a_blank_form_and_tells_the_page_to_refresh(client):
    room = running_workshop()
    _signed_in(client, room.sales)

    response = client.post(
        reverse("workshops:propose", args=[room.step.pk]),
        {"section": Section.PAIN_POINTS, "text": "Too many tools"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert response["HX-Trigger"] == "workshop-changed"
    assert "Too many tools" not in response.content.decode()
    assert Proposal.objects.get().text == "Too many tools"


def test_it_answers_htmx_with_the_emptied_composer_after_a_comment(client):
    room = running_workshop()
    proposal = item(room)
    _signed_in(client, room.sales)

    response = client.post(
        reverse("workshops:comment", args=[proposal.pk]), {"text": "Agreed"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert response["HX-Trigger"] == "workshop-changed"
    assert Comment.objects.get().text == "Agreed"


def test_it_keeps_a_refused_proposal_in_the_form(client):
    room = running_workshop()
    step_close(step=room.step, user=room.facilitator)
    _signed_in(client, room.sales)

    response = client.post(
        reverse("workshops:propose", args=[room.step.pk]),
        {"section": Section.PAIN_POINTS, "text": "Too late"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 409
    assert "Too late" in response.content.decode()
    assert not Proposal.objects.exists()


def test_it_never_misses_a_change_committed_while_a_poll_renders(client, monkeypatch):
    from workshops import cards

    room = running_workshop()
    _signed_in(client, room.sales)
    url = reverse("workshops:proposals", args=[room.step.pk])
    read_rows = cards.step_rows

    def rows_then_someone_proposes(step, user):
        rows = read_rows(step, user)
        monkeypatch.setattr(cards, "step_rows", read_rows)
        item(room, author=room.success, text="Committed meanwhile")
        return rows

    monkeypatch.setattr(cards, "step_rows", rows_then_someone_proposes)
    first = client.get(url)
    second = client.get(url, headers={"If-None-Match": first["ETag"]})

    assert "Committed meanwhile" not in first.content.decode()
    assert second.status_code == 200
    assert "Committed meanwhile" in second.content.decode()


def test_everyone_gets_the_same_cards_with_their_own_vote_buttons_and_dots(client):
    room = running_workshop(dots=2)
    first, second = item(room, text="First idea"), item(room, text="Second idea")
    vote_cast(proposal=second, user=room.sales)
    url = reverse("workshops:proposals", args=[room.step.pk])

    def seen_by(user):
        _signed_in(client, user)
        html = client.get(url).content.decode()
        return html, html.count("Take your dot back"), html.count("Place a dot")

    sales_html, sales_taken, sales_free = seen_by(room.sales)
    success_html, success_taken, success_free = seen_by(room.success)
    vote_cast(proposal=first, user=room.success)
    after_html, after_taken, _ = seen_by(room.success)

    assert "1 dot" in sales_html
    assert "1 dot" in success_html
    assert "{#" not in sales_html, "a template comment left as text"
    assert (sales_taken, sales_free) == (1, 1)
    assert (success_taken, success_free) == (0, 2)
    assert "You have <strong>1</strong> dot left" in sales_html
    assert "You have <strong>2</strong> dots left" in success_html
    assert after_taken == 1
    assert after_html.count("1 dot") == 2


@pytest.mark.parametrize(("anonymous", "shows_names"), [(False, True), (True, False)])
def test_it_names_the_voters_unless_the_votes_are_anonymous(client, anonymous, shows_names):
    room = running_workshop(anonymous=anonymous)
    proposal = item(room)
    vote_cast(proposal=proposal, user=room.sales)
    _signed_in(client, room.success)

    html = client.get(reverse("workshops:proposals", args=[room.step.pk])).content.decode()

    assert "1 dot" in html
    assert (room.sales.display_name in html) is shows_names


def test_a_changed_template_file_drops_the_cards_drawn_with_the_old_one(client, tmp_path):
    from django.utils.autoreload import file_changed

    from workshops import cards

    room = running_workshop()
    item(room)
    _signed_in(client, room.sales)
    client.get(reverse("workshops:proposals", args=[room.step.pk]))
    kept = len(cards._kept)
    file_changed.send(sender=None, file_path=tmp_path / "notes.txt")
    after_other_file = len(cards._kept)
    file_changed.send(sender=None, file_path=tmp_path / "proposal_card.html")

    assert kept >= 1
    assert after_other_file == kept
    assert len(cards._kept) == 0


def _cards_drawn(client, url) -> tuple[str, list[str]]:
    """The region's HTML, and the proposals whose card was drawn for it (proposal_card.html renderings)."""
    from django.test.signals import template_rendered

    drawn = []

    def note(sender, template, context, **kwargs):
        if template.name == "workshops/proposal_card.html":
            drawn.append(context["row"].proposal.text)

    template_rendered.connect(note)
    try:
        html = client.get(url).content.decode()
    finally:
        template_rendered.disconnect(note)
    return html, drawn


def test_a_change_draws_again_only_the_cards_it_changed(client):
    room = running_workshop(dots=3)
    first, second = item(room, text="First idea"), item(room, text="Second idea")
    url = reverse("workshops:proposals", args=[room.step.pk])
    _signed_in(client, room.sales)

    _, at_first = _cards_drawn(client, url)
    item(room, text="Third idea")
    with_third, after_a_proposal = _cards_drawn(client, url)
    vote_cast(proposal=second, user=room.success)
    with_a_dot, after_a_vote = _cards_drawn(client, url)
    room.success.first_name = "Renamed"
    room.success.save()
    comment_add(proposal=first, user=room.marketing, text="Agreed")  # a new version: the cards are read again
    renamed, after_a_rename = _cards_drawn(client, url)

    assert sorted(at_first) == ["First idea", "Second idea"]
    assert after_a_proposal == ["Third idea"]
    assert "Third idea" in with_third
    assert after_a_vote == ["Second idea"]
    assert "1 dot" in with_a_dot
    # The voter's new name is on the card they voted on; the comment changed the first card.
    assert sorted(after_a_rename) == ["First idea", "Second idea"]
    assert "Renamed" in renamed


def test_only_the_author_and_the_facilitator_get_a_cards_edit_link(client):
    room = running_workshop()
    proposal = item(room, author=room.marketing)
    url = reverse("workshops:proposals", args=[room.step.pk])
    edit = f'id="edit-{proposal.pk}"'

    seen = {
        who: edit in _signed_in(client, user).get(url).content.decode()
        for who, user in (("author", room.marketing), ("facilitator", room.facilitator), ("other", room.sales))
    }
    step_close(step=room.step, user=room.facilitator)
    after_close = edit in _signed_in(client, room.marketing).get(url).content.decode()

    assert seen == {"author": True, "facilitator": True, "other": False}
    assert after_close is False
