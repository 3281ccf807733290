-- Catalog names and SKUs are matched and sorted case-insensitively. Queries too short for
-- the trigram index (under 3 characters) walk these NOCASE indexes as a prefix range; they
-- replace 0002's BINARY name indexes, which no query used, so a bulk load maintains fewer.
DROP INDEX product_name;
DROP INDEX product_category;
CREATE INDEX product_name_nocase ON product (name COLLATE NOCASE);
CREATE INDEX product_sku_nocase ON product (sku COLLATE NOCASE);
CREATE INDEX product_category_name ON product (category_id, name COLLATE NOCASE);
