-- The catalog: tax classes, categories, products and their barcodes, with FTS5 search.
-- Money is INTEGER minor units; a weighed product's price is per kilogram.
CREATE TABLE tax_class (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  rate_bp INTEGER NOT NULL CHECK (rate_bp BETWEEN 0 AND 100000)
) STRICT;

CREATE TABLE category (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  position INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
) STRICT;

CREATE TABLE product (
  id TEXT PRIMARY KEY,
  sku TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  category_id TEXT REFERENCES category (id),
  unit TEXT NOT NULL DEFAULT 'each' CHECK (unit IN ('each', 'weight')),
  price INTEGER NOT NULL CHECK (price >= 0),
  tax_class_id TEXT NOT NULL REFERENCES tax_class (id),
  cost INTEGER CHECK (cost IS NULL OR cost >= 0),
  reorder_point INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX product_category ON product (category_id, name);
CREATE INDEX product_name ON product (name);

CREATE TABLE barcode (
  code TEXT PRIMARY KEY,
  product_id TEXT NOT NULL REFERENCES product (id) ON DELETE CASCADE
) STRICT;
CREATE INDEX barcode_product ON barcode (product_id);

-- Search over name, SKU and every barcode; rowid = product.rowid. Kept by triggers so no
-- write path can forget it.
CREATE VIRTUAL TABLE product_search USING fts5 (name, sku, codes, tokenize = 'trigram');

CREATE TRIGGER product_search_insert AFTER INSERT ON product BEGIN
  INSERT INTO product_search (rowid, name, sku, codes) VALUES (new.rowid, new.name, new.sku, '');
END;
CREATE TRIGGER product_search_update AFTER UPDATE OF name, sku ON product BEGIN
  UPDATE product_search SET name = new.name, sku = new.sku WHERE rowid = new.rowid;
END;
CREATE TRIGGER product_search_delete AFTER DELETE ON product BEGIN
  DELETE FROM product_search WHERE rowid = old.rowid;
END;
CREATE TRIGGER barcode_search_insert AFTER INSERT ON barcode BEGIN
  UPDATE product_search SET codes = trim(codes || ' ' || new.code)
  WHERE rowid = (SELECT rowid FROM product WHERE id = new.product_id);
END;
CREATE TRIGGER barcode_search_delete AFTER DELETE ON barcode BEGIN
  UPDATE product_search SET codes = (SELECT coalesce(group_concat(code, ' '), '') FROM barcode WHERE product_id = old.product_id)
  WHERE rowid = (SELECT rowid FROM product WHERE id = old.product_id);
END;
