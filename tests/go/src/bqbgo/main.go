// bqbgo: a Go program written the way a user writes one against Debian's unmodified Google client
// libraries (golang-golang-x-oauth2-google-dev, golang-google-cloud-dev 0.56), run under
// `bqbroker exec`. Credentials are never handed to the libraries: Application Default Credentials
// find the metadata endpoint exec names in GCE_METADATA_HOST; only the BigQuery API root is
// overridden (option.WithEndpoint, as for any private endpoint).
//
//	bqbgo API_ROOT JOBS.json
//
// API_ROOT: the BigQuery base URL without /bigquery/v2. JOBS.json:
// [{"sql": "...", "params"?: {"name": {"type": "STRING"|"INT64"|"FLOAT64"|"BOOL"|"TIMESTAMP",
// "value": "text"}}, "page_size"?: n}, {"table": "dataset.table", "page_size"?: n}, …]: a query
// (jobs.insert, then the job's rows) or a table read (tables.get + tabledata.list).
//
// Prints one JSON document:
//
//	{"adc": {"token_sha256", "token_prefix" (10 characters), "token_type", "expiry", "project_id"},   (never the token)
//	 "metadata": {"on_gce", "project_id", "email"},
//	 "results": [{"schema": [TableFieldSchema…], "rows": [ROW…]} | {"error": "…"}, …]}
//
// Rows are what the library returned (a map per row, as `it.Next(&map[string]bigquery.Value{})`
// loads it), printable without losing the Go type it chose: int64 {"int64": "digits"}, float64
// a JSON number or {"float64": "Infinity"|"-Infinity"|"NaN"}, bool and string themselves, []byte
// {"[]byte": base64}, civil.Date/Time/DateTime {"civil.Date": text}…, time.Time
// {"time.Time": RFC 3339 with nanoseconds, UTC}, *big.Rat {"*big.Rat": its exact decimal},
// []bigquery.Value an array, a record an object. Any other type is an error (exit 1).
// A job's failure is its {"error"}; exit 1 on anything else, 2 on bad arguments.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"os"
	"strconv"
	"strings"
	"time"

	"cloud.google.com/go/bigquery"
	"cloud.google.com/go/civil"
	"cloud.google.com/go/compute/metadata"
	"golang.org/x/oauth2/google"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
)

type param struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

type job struct {
	SQL      string           `json:"sql"`
	Table    string           `json:"table"`
	Params   map[string]param `json:"params"`
	PageSize int              `json:"page_size"`
}

func fail(code int, format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "bqbgo: "+format+"\n", args...)
	os.Exit(code)
}

// adc: what Application Default Credentials found, and a token from them.
func adc(ctx context.Context) map[string]interface{} {
	creds, err := google.FindDefaultCredentials(ctx, bigquery.Scope)
	if err != nil {
		fail(1, "FindDefaultCredentials: %v", err)
	}
	tok, err := creds.TokenSource.Token()
	if err != nil {
		fail(1, "token from the default credentials: %v", err)
	}
	digest := sha256.Sum256([]byte(tok.AccessToken))
	prefix := tok.AccessToken
	if len(prefix) > 10 {
		prefix = prefix[:10]
	}
	return map[string]interface{}{
		"token_sha256": hex.EncodeToString(digest[:]),
		"token_prefix": prefix,
		"token_type":   tok.Type(),
		"expiry":       tok.Expiry.UTC().Format(time.RFC3339),
		"project_id":   creds.ProjectID,
	}
}

func metadataFacts() map[string]interface{} {
	project, err := metadata.ProjectID()
	if err != nil {
		fail(1, "metadata.ProjectID: %v", err)
	}
	email, err := metadata.Email("default")
	if err != nil {
		fail(1, "metadata.Email: %v", err)
	}
	return map[string]interface{}{"on_gce": metadata.OnGCE(), "project_id": project, "email": email}
}

// paramValue: the Go value a user passes for a parameter of type t (the library infers the
// BigQuery type from it).
func paramValue(p param) (interface{}, error) {
	switch p.Type {
	case "STRING":
		return p.Value, nil
	case "INT64":
		return strconv.ParseInt(p.Value, 10, 64)
	case "FLOAT64":
		return strconv.ParseFloat(p.Value, 64)
	case "BOOL":
		return strconv.ParseBool(p.Value)
	case "TIMESTAMP":
		return time.Parse(time.RFC3339Nano, p.Value)
	}
	return nil, fmt.Errorf("no Go value for a %s parameter", p.Type)
}

func schemaJSON(s bigquery.Schema) []interface{} {
	out := []interface{}{}
	for _, f := range s {
		field := map[string]interface{}{"name": f.Name, "type": string(f.Type), "mode": "NULLABLE"}
		if f.Repeated {
			field["mode"] = "REPEATED"
		} else if f.Required {
			field["mode"] = "REQUIRED"
		}
		if f.Schema != nil {
			field["fields"] = schemaJSON(f.Schema)
		}
		out = append(out, field)
	}
	return out
}

// exactDecimal: r as a terminating decimal (BigQuery's NUMERIC values always are).
func exactDecimal(r *big.Rat) (string, error) {
	scaled := new(big.Rat).Set(r)
	ten := big.NewRat(10, 1)
	for places := 0; places <= 100; places++ {
		if scaled.IsInt() {
			return r.FloatString(places), nil
		}
		scaled.Mul(scaled, ten)
	}
	return "", fmt.Errorf("%s is not a terminating decimal", r.RatString())
}

func printable(v interface{}) (interface{}, error) {
	switch x := v.(type) {
	case nil, bool, string:
		return x, nil
	case int64:
		return map[string]string{"int64": strconv.FormatInt(x, 10)}, nil
	case float64:
		switch {
		case math.IsInf(x, 1):
			return map[string]string{"float64": "Infinity"}, nil
		case math.IsInf(x, -1):
			return map[string]string{"float64": "-Infinity"}, nil
		case math.IsNaN(x):
			return map[string]string{"float64": "NaN"}, nil
		}
		return x, nil
	case []byte:
		return map[string]string{"[]byte": base64.StdEncoding.EncodeToString(x)}, nil
	case civil.Date:
		return map[string]string{"civil.Date": x.String()}, nil
	case civil.Time:
		return map[string]string{"civil.Time": x.String()}, nil
	case civil.DateTime:
		return map[string]string{"civil.DateTime": x.String()}, nil
	case time.Time:
		return map[string]string{"time.Time": x.UTC().Format(time.RFC3339Nano)}, nil
	case *big.Rat:
		d, err := exactDecimal(x)
		return map[string]string{"*big.Rat": d}, err
	case []bigquery.Value:
		out := make([]interface{}, len(x))
		for i, e := range x {
			p, err := printable(e)
			if err != nil {
				return nil, err
			}
			out[i] = p
		}
		return out, nil
	case map[string]bigquery.Value:
		out := map[string]interface{}{}
		for k, e := range x {
			p, err := printable(e)
			if err != nil {
				return nil, err
			}
			out[k] = p
		}
		return out, nil
	}
	return nil, fmt.Errorf("the library returned a %T", v)
}

func rows(it *bigquery.RowIterator, pageSize int) (map[string]interface{}, error) {
	if pageSize > 0 {
		it.PageInfo().MaxSize = pageSize
	}
	out := []interface{}{}
	for {
		var row map[string]bigquery.Value
		err := it.Next(&row)
		if err == iterator.Done {
			break
		}
		if err != nil {
			return nil, err
		}
		p, err := printable(map[string]bigquery.Value(row))
		if err != nil {
			fail(1, "%v", err)
		}
		out = append(out, p)
	}
	return map[string]interface{}{"schema": schemaJSON(it.Schema), "rows": out}, nil
}

func run(ctx context.Context, client *bigquery.Client, j job) (map[string]interface{}, error) {
	if j.Table != "" {
		parts := strings.SplitN(j.Table, ".", 2)
		if len(parts) != 2 {
			fail(2, "table %q is not dataset.table", j.Table)
		}
		return rows(client.Dataset(parts[0]).Table(parts[1]).Read(ctx), j.PageSize)
	}
	q := client.Query(j.SQL)
	for name, p := range j.Params {
		v, err := paramValue(p)
		if err != nil {
			fail(2, "parameter %s: %v", name, err)
		}
		q.Parameters = append(q.Parameters, bigquery.QueryParameter{Name: name, Value: v})
	}
	it, err := q.Read(ctx)
	if err != nil {
		return nil, err
	}
	return rows(it, j.PageSize)
}

func main() {
	if len(os.Args) != 3 {
		fail(2, "usage: bqbgo API_ROOT JOBS.json")
	}
	if os.Getenv("GCE_METADATA_HOST") == "" {
		fail(2, "run me under `bqbroker exec` (no GCE_METADATA_HOST)")
	}
	var jobs []job
	text, err := os.ReadFile(os.Args[2])
	if err == nil {
		err = json.Unmarshal(text, &jobs)
	}
	if err != nil {
		fail(2, "%s: %v", os.Args[2], err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	out := map[string]interface{}{"adc": adc(ctx), "metadata": metadataFacts()}
	project := out["metadata"].(map[string]interface{})["project_id"].(string)
	// No credentials option: the client finds them itself (ADC → the metadata server).
	client, err := bigquery.NewClient(ctx, project,
		option.WithEndpoint(strings.TrimSuffix(os.Args[1], "/")+"/bigquery/v2/"))
	if err != nil {
		fail(1, "%v", err)
	}
	results := []interface{}{}
	for _, j := range jobs {
		r, err := run(ctx, client, j)
		if err != nil {
			r = map[string]interface{}{"error": err.Error()}
		}
		results = append(results, r)
	}
	out["results"] = results
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail(1, "%v", err)
	}
}
