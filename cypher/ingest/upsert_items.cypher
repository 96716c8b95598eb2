// Catalogue upsert: a record replaces the item's title, description and categories. A category
// or interest that gains or loses a member counts it in `changes`, so that the member list ranked
// at the last run (embeddings/rank_targets) no longer holds.
UNWIND $rows AS row
MERGE (i:Item {id: row.id})
  ON CREATE SET i.created_at = datetime()
WITH i, row, coalesce(i.placeholder, false) AS was_placeholder
// The catalogue relations job analyses an item again only when its text changed.
SET i.about_extracted = CASE
  WHEN i.title = row.title AND coalesce(i.description, '') = coalesce(row.description, '')
  THEN i.about_extracted
END
SET i.title = row.title,
    i.description = row.description,
    i.placeholder = false
WITH i, row, was_placeholder
CALL (i, was_placeholder) {
  // a placeholder (ranked lists leave them out) joins the lists of the interests it is about
  MATCH (i)-[:ABOUT]->(n:Interest)
  WHERE was_placeholder
  SET n.changes = coalesce(n.changes, 0) + 1
}
CALL (i, row) {
  MATCH (i)-[old:IN_CATEGORY]->(c:Category)
  WHERE NOT c.name IN row.categories
  DELETE old
  SET c.changes = coalesce(c.changes, 0) + 1
}
CALL (i, row) {
  UNWIND row.categories AS name
  MERGE (c:Category {name: name})
    ON CREATE SET c.created_at = datetime()
  MERGE (i)-[:IN_CATEGORY]->(c)
    ON CREATE SET c.changes = coalesce(c.changes, 0) + 1
}
RETURN count(*) AS upserted
