from __future__ import annotations

from typing import Any

from flask import Blueprint
from flask.typing import ResponseReturnValue

from graph.ingest import reads
from graph.ingest.records import ItemIn
from graph.ingest.writes import write_items
from service.api.params import batch
from service.api.spec import Body, operation
from service.errors import not_found
from service.neo4j_ext import store

blueprint = Blueprint("items", __name__, url_prefix="/v1/items")


ITEMS = Body(ItemIn, "items")


@blueprint.post("")
@operation("Upsert catalogue items, all or nothing", body=ITEMS)
def post_items() -> ResponseReturnValue:
    """Upsert catalogue items (a batch of up to MAX_BATCH), all or nothing."""
    items = batch(ITEMS)
    written = write_items(store(), items)
    return {"received": len(items), "upserted": written}


@blueprint.get("/<item_id>")
@operation("An item with its categories")
def get_item(item_id: str) -> ResponseReturnValue:
    found = reads.item(store(), item_id)
    if found is None:
        raise not_found("item", item_id)
    return item_answer(found)


def item_answer(item: reads.Item) -> dict[str, Any]:
    """The JSON answer for one catalogue item."""
    return {
        "id": item.id,
        "title": item.title,
        "description": item.description,
        "categories": item.categories,
        "placeholder": item.placeholder,
        "interactions": item.interactions,
    }
