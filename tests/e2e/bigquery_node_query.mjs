// Node's unmodified @google-cloud/bigquery (tests/node's lockfile) running queries the way a
// program under `bqbroker exec` would: credentials found by the library itself (google-auth-library
// → the metadata endpoint exec names in GCE_METADATA_HOST), the project from
// GOOGLE_CLOUD_PROJECT, and only the API root overridden (`apiEndpoint`, as for any private
// endpoint).
//
//   node bigquery_node_query.mjs API_ENDPOINT QUERIES.json
//
// QUERIES.json: [{"sql": "...", "params"?: {"name": PARAM}}, …] where PARAM is
// {"type": "STRING"|"INT64"|"TIMESTAMP"|…, "value": "text"}; each is passed to the library as
// the JavaScript value a user would write (a string, a number, bigquery.timestamp(…), …)
// with its type in `types`, so the library encodes it itself.
//
// Prints one JSON document: {"results": [{"schema": [TableFieldSchema…], "rows": [ROW…]}, …]}.
// Rows are what the library returned (with wrapIntegers), made printable without losing what the
// library chose: a value of one of its wrapper classes is {"<class name>": <its text>} (BigQueryInt,
// BigQueryTimestamp, BigQueryDate, …, Big for NUMERIC as Big#toString() gives it), a Buffer is
// {"Buffer": base64}, a non-finite number {"number": "Infinity"|"-Infinity"|"NaN"}; null, booleans,
// finite numbers, strings, arrays and records are themselves. The test compares them by type.
// Exits 1 with the library's error on stderr when a query fails, 2 on bad arguments.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

// tests/node holds the lockfile's packages; this script lives beside the test instead.
const require = createRequire(new URL('../node/package.json', import.meta.url));
const { BigQuery } = require('@google-cloud/bigquery');

const [apiEndpoint, queriesFile] = process.argv.slice(2);
if (!apiEndpoint || !queriesFile) {
  console.error('usage: bigquery_node_query.mjs API_ENDPOINT QUERIES.json');
  process.exit(2);
}
if (!process.env.GCE_METADATA_HOST) {
  console.error('bigquery_node_query.mjs: run me under `bqbroker exec` (no GCE_METADATA_HOST)');
  process.exit(2);
}

const bigquery = new BigQuery({ apiEndpoint });

/// The JavaScript value a user would pass for a parameter of `type`.
function paramValue({ type, value }) {
  switch (type) {
    case 'INT64': // a BigInt would be natural, but 8.x cannot serialize one (JSON.stringify throws)
    case 'FLOAT64':
      return Number(value);
    case 'BOOL':
      return value === 'true';
    case 'TIMESTAMP':
      return bigquery.timestamp(value);
    case 'DATE':
      return bigquery.date(value);
    case 'NUMERIC':
    case 'BIGNUMERIC':
    case 'STRING':
      return value;
    default:
      throw new Error(`bigquery_node_query.mjs: no JavaScript form for a ${type} parameter`);
  }
}

/// The library's value as JSON, keeping which class it chose (see the header).
function printable(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : { number: String(v) };
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return { bigint: v.toString() };
  if (Buffer.isBuffer(v)) return { Buffer: v.toString('base64') };
  if (Array.isArray(v)) return v.map(printable);
  const cls = v.constructor?.name ?? 'Object';
  if (cls === 'Object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, printable(x)]));
  }
  if (cls === 'Big') return { Big: v.toString() };
  if ('value' in v) return { [cls]: String(v.value) };
  throw new Error(`bigquery_node_query.mjs: the library returned an unknown ${cls}`);
}

async function run({ sql, params }) {
  const options = { query: sql, location: 'US', wrapIntegers: true };
  if (params) {
    options.params = {};
    options.types = {};
    for (const [name, p] of Object.entries(params)) {
      options.params[name] = paramValue(p);
      options.types[name] = p.type;
    }
  }
  // A job, then its results: the schema the rows were read with comes with the first page.
  const [job] = await bigquery.createQueryJob(options);
  const [rows, , response] = await job.getQueryResults({ wrapIntegers: true });
  return { schema: response?.schema?.fields ?? null, rows: rows.map(printable) };
}

try {
  const queries = JSON.parse(readFileSync(queriesFile, 'utf8'));
  const results = [];
  for (const q of queries) results.push(await run(q));
  console.log(JSON.stringify({ results }));
} catch (e) {
  console.error(`bigquery_node_query.mjs: ${e?.message ?? e}`);
  process.exit(1);
}
