"""Contacts, under /api/campaigns/{slug}/contacts.

    GET  /contacts/consent-text  (any member) the consent text the form shows, current version, fr and en
    POST /contacts               (any member) a new contact; refused without the ticked box or
                                  with a tag outside the vocabulary
    GET  /contacts               HQ: everyone's, by tag, station and date; a volunteer: only the
                                  contacts they added
    GET  /contacts/export.csv    (HQ) the same, as CSV

Every read is audited (server/audit).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from server.audit import queries as audit
from server.consent.texts import current_version, text
from server.contacts import queries
from server.contacts.export import contacts_csv
from server.contacts.schemas import ConsentText, ContactCreated, ContactList, NewContact
from server.deps import AnyMember, Conn, HQMember
from server.doors import queries as door_queries
from server.errors import InvalidInput, NotFound
from server.tags import queries as tag_queries
from server.timewindow import Since, Until, window

router = APIRouter(prefix="/api/campaigns/{slug}/contacts", tags=["contacts"])
HQ_ROLES = ("admin", "coordinator")
Tag = Annotated[str | None, Query(max_length=40, description="only contacts carrying this topic")]
Station = Annotated[str | None, Query(max_length=64, description="only contacts met in this polling station (code)")]


@router.get("/consent-text", response_model=ConsentText, summary="The contact form's consent text")
async def consent_text(member: AnyMember) -> ConsentText:
    version = current_version("contact")
    return ConsentText(
        kind="contact", version=version, fr=text("contact", version, "fr"), en=text("contact", version, "en")
    )


@router.post(
    "",
    response_model=ContactCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Add a contact who ticked the consent box (201), or get the one already sent (200)",
    responses={200: {"model": ContactCreated}},
)
async def add_contact(body: NewContact, member: AnyMember, conn: Conn, response: Response) -> ContactCreated:
    if text("contact", body.consent.version, body.consent.lang) is None:
        raise InvalidInput(
            f"consent.version: {body.consent.version!r} is not a contact consent text "
            f"(current: {current_version('contact')!r})"
        )
    topics = await tag_queries.checked(conn, member.campaign_id, body.topics)
    area = None
    if body.address is not None:
        door = await door_queries.door(conn, member.campaign_id, body.address)
        if door is None:
            raise NotFound(f"no address {body.address} in this campaign")
        area = door["area_id"]
    contact_id, created = await queries.insert(conn, member.campaign_id, member.user.id, area, body, topics)
    if not created:
        response.status_code = status.HTTP_200_OK
    return ContactCreated(contact=await queries.one(conn, member.campaign_id, contact_id), created=created)


async def _listing(member, conn, since, until, tag, station, limit, action: str):
    lo, hi = window(since, until)
    # A volunteer sees only the contacts they added: the list is for follow-up, not a voter file.
    added_by = None if member.role in HQ_ROLES else member.user.id
    found = await queries.listing(
        conn, member.campaign_id, lo, hi, tag=tag, station=station, added_by=added_by, limit=limit
    )
    await audit.record(
        conn,
        member,
        action,
        {"since": lo, "until": hi, "tag": tag, "station": station, "added_by": added_by, "rows": len(found)},
    )
    return lo, hi, found


@router.get("", response_model=ContactList, summary="Contacts (HQ: all; a volunteer: theirs); default: today")
async def list_contacts(
    member: AnyMember,
    conn: Conn,
    since: Since = None,
    until: Until = None,
    tag: Tag = None,
    station: Station = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> ContactList:
    lo, hi, found = await _listing(member, conn, since, until, tag, station, limit, "contacts")
    return ContactList(since=lo, until=hi, contacts=found)


@router.get(
    "/export.csv",
    summary="Contacts as CSV (HQ); default: today",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def export_contacts(
    member: HQMember, conn: Conn, since: Since = None, until: Until = None, tag: Tag = None, station: Station = None
) -> Response:
    _, _, found = await _listing(member, conn, since, until, tag, station, 1_000_000, "contacts_export")
    return Response(
        contacts_csv(found),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="contacts.csv"'},
    )
