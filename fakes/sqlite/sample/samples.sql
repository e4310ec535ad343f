-- bqbroker-emulator's sample dataset "samples": generated deterministically (no random()), so every
-- run holds the same rows. Each dataset is a SQLite schema attached under its name; a column's
-- declared type is its BigQuery type (fakes/sqlite/bq_values.h), and a second word only fixes SQLite's
-- storage affinity (e.g. STRING TEXT keeps '0123' as text). REPEATED and RECORD columns hold JSON
-- text and are declared with a type named in samples.__bq_types.
ATTACH ':memory:' AS samples;

CREATE TABLE samples.__bq_types (name TEXT PRIMARY KEY, field TEXT NOT NULL);
INSERT INTO samples.__bq_types VALUES
  ('TAG_LIST', '{"type":"INTEGER","mode":"REPEATED"}'),
  ('ADDRESS', '{"type":"RECORD","mode":"NULLABLE","fields":[{"name":"city","type":"STRING","mode":"NULLABLE"},{"name":"zip","type":"STRING","mode":"NULLABLE"},{"name":"since","type":"DATE","mode":"NULLABLE"}]}'),
  ('ORDER_LINES', '{"type":"RECORD","mode":"REPEATED","fields":[{"name":"sku","type":"STRING","mode":"NULLABLE"},{"name":"qty","type":"INTEGER","mode":"NULLABLE"},{"name":"price","type":"NUMERIC","mode":"NULLABLE"}]}');

-- names: babies named per state and year (like bigquery-public-data.usa_names), 20 names x 5
-- states x 40 years = 4000 rows.
CREATE TABLE samples.names (
  name STRING TEXT NOT NULL,
  gender STRING TEXT NOT NULL,
  state STRING TEXT NOT NULL,
  year INT64 NOT NULL,
  n INT64 NOT NULL
);
INSERT INTO samples.names
WITH RECURSIVE
  first_names(k, name, gender) AS (VALUES
    (1, 'Mary', 'F'), (2, 'James', 'M'), (3, 'Patricia', 'F'), (4, 'John', 'M'),
    (5, 'Jennifer', 'F'), (6, 'Robert', 'M'), (7, 'Linda', 'F'), (8, 'Michael', 'M'),
    (9, 'Elizabeth', 'F'), (10, 'William', 'M'), (11, 'Barbara', 'F'), (12, 'David', 'M'),
    (13, 'Susan', 'F'), (14, 'Richard', 'M'), (15, 'Jessica', 'F'), (16, 'Joseph', 'M'),
    (17, 'Sarah', 'F'), (18, 'Thomas', 'M'), (19, 'Karen', 'F'), (20, 'Charles', 'M')),
  states(j, state) AS (VALUES (1, 'CA'), (2, 'NY'), (3, 'TX'), (4, 'WA'), (5, 'IL')),
  years(year) AS (SELECT 1980 UNION ALL SELECT year + 1 FROM years WHERE year < 2019)
SELECT name, gender, state, year, 5 + (k * 7919 + j * 104729 + year * 1009) % 4999
FROM first_names, states, years
ORDER BY year, state, k;

-- events: 3000 purchases and refunds with instants and exact amounts.
CREATE TABLE samples.events (
  id INT64 PRIMARY KEY,
  user_email STRING TEXT NOT NULL,
  kind STRING TEXT NOT NULL,
  at TIMESTAMP TEXT NOT NULL,
  amount NUMERIC TEXT NOT NULL
);
INSERT INTO samples.events
WITH RECURSIVE i(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM i WHERE i < 3000)
SELECT i,
       CASE i % 3 WHEN 0 THEN 'alice@example.com' WHEN 1 THEN 'bob@example.com'
                  ELSE 'carol@example.com' END,
       CASE WHEN i % 17 = 0 THEN 'refund' ELSE 'purchase' END,
       strftime('%Y-%m-%d %H:%M:%S', 1704067200 + i * 3607, 'unixepoch') ||
         printf('.%06d+00:00', (i * 7919) % 1000000),
       printf('%s%d.%02d', CASE WHEN i % 17 = 0 THEN '-' ELSE '' END, (i * 37) % 500, i % 100)
FROM i;

-- all_types: every BigQuery type SQLite can hold, 1000 generated rows plus edge cases (ids < 1).
CREATE TABLE samples.all_types (
  id INT64 PRIMARY KEY,
  i64 INT64,
  f64 FLOAT64,
  num NUMERIC TEXT,
  bignum BIGNUMERIC TEXT,
  flag BOOL,
  s STRING TEXT,
  b BYTES BLOB,
  d DATE TEXT,
  dt DATETIME TEXT,
  t TIME TEXT,
  ts TIMESTAMP TEXT,
  j JSON TEXT,
  tags TAG_LIST TEXT,
  address ADDRESS TEXT,
  lines ORDER_LINES TEXT
);
INSERT INTO samples.all_types
WITH RECURSIVE i(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM i WHERE i < 1000)
SELECT i,
       (i * 2654435761) % 4294967296 - 2147483648,
       i / 8.0,
       printf('%d.%03d', i * 11, i % 1000),
       printf('%d.%d', i, i * 123456789),
       CASE WHEN i % 10 = 0 THEN NULL ELSE i % 2 END,
       CASE i % 6 WHEN 0 THEN 'plain' WHEN 1 THEN 'Zoë' WHEN 2 THEN '日本語' WHEN 3 THEN '🎉 party'
                  WHEN 4 THEN '' ELSE NULL END,
       CAST(printf('bytes-%d', i) AS BLOB),
       date('2020-01-01', printf('+%d days', i)),
       strftime('%Y-%m-%dT%H:%M:%S', '2020-01-01', printf('+%d minutes', i * 37)),
       time(i * 97 % 86400, 'unixepoch'),
       strftime('%Y-%m-%d %H:%M:%S', 1577836800 + i * 3607, 'unixepoch') ||
         printf('.%06d+00:00', (i * 7919) % 1000000),
       json_object('i', i, 'even', json(CASE WHEN i % 2 = 0 THEN 'true' ELSE 'false' END)),
       CASE WHEN i % 7 = 0 THEN NULL WHEN i % 7 = 1 THEN '[]' ELSE json_array(i, i * 2, i * 3) END,
       json_object('city', CASE i % 3 WHEN 0 THEN 'Paris' WHEN 1 THEN 'Zürich' ELSE 'Tokyo' END,
                   'zip', printf('%05d', i), 'since', date('2010-01-01', printf('+%d days', i))),
       json_array(json_object('sku', 'SKU-' || i, 'qty', i % 5 + 1, 'price', printf('%d.99', i % 50)),
                  json_object('sku', 'SKU-X', 'qty', 1, 'price', '0.50'))
FROM i;
INSERT INTO samples.all_types VALUES
  (0, 9223372036854775807, 9e999, '99999999999999999999999999999.999999999',
   '578960446186580977117854925043439539266.34992332820282019728792003956564819967', 1,
   'quote '' and "double" <tag> & back\slash', X'00FF10', '0001-01-01', '9999-12-31T23:59:59.999999',
   '23:59:59.999999', '9999-12-31 23:59:59.999999+00:00', '{"nested":{"a":[1,2,{"b":null}]}}',
   '[-9223372036854775808, 0]', '{"city": null, "zip": "00000", "since": null}', '[]'),
  (-1, -9223372036854775808, -9e999, '-0.000000001', '-1', 0, '', X'', '1970-01-01',
   '1970-01-01T00:00:00', '00:00:00', '1969-12-31 23:59:59.999999+00:00', 'null', NULL, NULL, NULL),
  (-2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '0001-01-01 00:00:00.000000+00:00',
   NULL, NULL, NULL, NULL);
