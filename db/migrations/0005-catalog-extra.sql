-- Catalog search for queries too short for the trigram index (under 3 characters): a
-- case-insensitive prefix match on name or SKU walks these indexes instead of the table.
CREATE INDEX product_name_nocase ON product (name COLLATE NOCASE);
CREATE INDEX product_sku_nocase ON product (sku COLLATE NOCASE);
CREATE INDEX product_category_name_nocase ON product (category_id, name COLLATE NOCASE);
