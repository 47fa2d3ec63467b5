"""The closed vocabulary, under /api/campaigns/{slug}/tags.

GET /tags   (any member) the topics and support levels the phone offers
PUT /tags   (admin) replace the vocabulary
"""

from __future__ import annotations

from fastapi import APIRouter

from server.deps import AdminMember, AnyMember, Conn
from server.errors import InvalidInput
from server.tags import queries
from server.tags.schemas import TagOut, Vocabulary, VocabularyChange, VocabularySet
from server.tags.vocabulary import KEY, Tag

router = APIRouter(prefix="/api/campaigns/{slug}/tags", tags=["tags"])


@router.get("", response_model=Vocabulary, summary="The campaign's closed vocabulary")
async def get_vocabulary(member: AnyMember, conn: Conn) -> Vocabulary:
    return Vocabulary(tags=[TagOut(**t.__dict__) for t in await queries.vocabulary(conn, member.campaign_id)])


@router.put("", response_model=VocabularyChange, summary="Replace the campaign's vocabulary (admin)")
async def set_vocabulary(body: VocabularySet, member: AdminMember, conn: Conn) -> VocabularyChange:
    tags = []
    for t in body.tags:
        if not KEY.match(t.tag) or not (0 < len(t.label_fr) <= 80 and 0 < len(t.label_en) <= 80):
            raise InvalidInput(
                f"tag {t.tag!r}: a key of 1 to 40 lower-case letters, digits, '-' or '_', "
                "with labels of 1 to 80 characters",
                tag=t.tag,
            )
        tags.append(Tag(t.tag, t.label_fr, t.label_en))
    if len({t.tag for t in tags}) != len(tags):
        raise InvalidInput("a tag appears twice")
    count, removed = await queries.replace(conn, member.campaign_id, tags)
    return VocabularyChange(tags=count, removed=removed)
