from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint
from flask.typing import ResponseReturnValue

from graph.ingest import reads
from graph.ingest.writes import write_items
from graph.ingest.records import ItemIn
from service.api.params import batch
from service.errors import not_found
from service.neo4j_ext import neo4j

blueprint = Blueprint("items", __name__, url_prefix="/v1/items")


@blueprint.post("")
def post_items() -> ResponseReturnValue:
    """Upsert catalogue items (a batch of up to MAX_BATCH), all or nothing."""
    items = batch(ItemIn, "items")
    ext = neo4j()
    written = write_items(ext.driver, items, database=ext.database)
    return {"received": len(items), "upserted": written}


@blueprint.get("/<item_id>")
def get_item(item_id: str) -> ResponseReturnValue:
    ext = neo4j()
    found = reads.item(ext.driver, item_id, database=ext.database)
    if found is None:
        raise not_found("item", item_id)
    return asdict(found)
