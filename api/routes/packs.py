"""Case packs for trainers: create, add passages with notes, reorder, remove, export."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Path, Query, Response

from api.deps import Ctx, Panel, Reader, ReadSession
from api.routes._router import make_router
from api.schemas import PackIn, PackItemIn, PackItemPatch, PackOrderIn, PackPatch, ShortText
from gwersi import packs
from gwersi.pack_export import FORMATS, export_pack
from gwersi.packs import PackSummary, PackView
from index.db import transaction

router = make_router("case packs")
PackId = Annotated[int, Path(ge=1, le=2**31 - 1)]
ItemId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/packs", summary="Case packs")
def list_packs(
    session: ReadSession, _who: Reader, owner: Annotated[ShortText | None, Query()] = None
) -> list[PackSummary]:
    """Every pack (or one owner's), most recently changed first."""
    return packs.list_packs(session, owner=owner)


@router.post("/packs", status_code=201, summary="Create a case pack (panel)")
def create_pack(body: PackIn, ctx: Ctx, who: Panel) -> PackView:
    """A new empty pack owned by the caller."""
    with transaction(ctx.sessions) as session:
        return packs.create_pack(session, title=body.title, description=body.description, by=who)


@router.get("/packs/{pack_id}", summary="One case pack with its items")
def get_pack(pack_id: PackId, session: ReadSession, _who: Reader) -> PackView:
    """The pack's items in order, each with its passage and citation."""
    return packs.get_pack(session, pack_id)


@router.patch("/packs/{pack_id}", summary="Rename or describe a case pack (owner or admin)")
def update_pack(pack_id: PackId, body: PackPatch, ctx: Ctx, who: Panel) -> PackView:
    """Change the title or description."""
    with transaction(ctx.sessions) as session:
        return packs.update_pack(session, pack_id, title=body.title, description=body.description, by=who)


@router.delete("/packs/{pack_id}", status_code=204, summary="Delete a case pack (owner or admin)")
def delete_pack(pack_id: PackId, ctx: Ctx, who: Panel) -> Response:
    """The pack goes; its passages stay in the catalogue."""
    with transaction(ctx.sessions) as session:
        packs.delete_pack(session, pack_id, by=who)
    return Response(status_code=204)


@router.post("/packs/{pack_id}/items", status_code=201, summary="Add a passage to a pack (owner or admin)")
def add_item(pack_id: PackId, body: PackItemIn, ctx: Ctx, who: Panel) -> PackView:
    """Add a passage with a note and a reflective question (at ``position``, default the end)."""
    with transaction(ctx.sessions) as session:
        return packs.add_item(
            session,
            pack_id,
            passage_id=body.passage_id,
            note=body.note,
            question=body.question,
            position=body.position,
            by=who,
        )


@router.patch("/packs/{pack_id}/items/{item_id}", summary="Edit an item's note or question (owner or admin)")
def update_item(pack_id: PackId, item_id: ItemId, body: PackItemPatch, ctx: Ctx, who: Panel) -> PackView:
    """Change the note or the reflective question."""
    with transaction(ctx.sessions) as session:
        return packs.update_item(session, pack_id, item_id, note=body.note, question=body.question, by=who)


@router.delete("/packs/{pack_id}/items/{item_id}", summary="Remove an item (owner or admin)")
def remove_item(pack_id: PackId, item_id: ItemId, ctx: Ctx, who: Panel) -> PackView:
    """Take the item out; the rest close up."""
    with transaction(ctx.sessions) as session:
        return packs.remove_item(session, pack_id, item_id, by=who)


@router.put("/packs/{pack_id}/order", summary="Reorder a pack's items (owner or admin)")
def reorder(pack_id: PackId, body: PackOrderIn, ctx: Ctx, who: Panel) -> PackView:
    """``item_ids`` must list every item of the pack once, in the new order."""
    with transaction(ctx.sessions) as session:
        return packs.reorder(session, pack_id, body.item_ids, by=who)


@router.get(
    "/packs/{pack_id}/export",
    summary="Export a pack as Markdown, DOCX or PDF",
    response_class=Response,
    responses={
        200: {
            "description": "The pack as a file",
            "content": {media: {"schema": {"type": "string", "format": "binary"}} for media, _ext in FORMATS.values()},
        }
    },
)
def export(
    pack_id: PackId, session: ReadSession, _who: Reader, format: Literal["md", "docx", "pdf"] = "md"
) -> Response:
    """A file with every passage cited back to its review, section, paragraph and page."""
    exported = export_pack(packs.get_pack(session, pack_id), format)
    return Response(
        content=exported.content,
        media_type=exported.media_type,
        headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
    )
