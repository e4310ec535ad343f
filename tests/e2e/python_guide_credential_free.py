#!/usr/bin/python3
"""The BigQuery guide "Authenticating with a user account for installed applications", made
credential-free by `bqbroker exec`.

The guide's script loads client_secrets.json, runs google_auth_oauthlib.flow.InstalledAppFlow
(run_local_server: a browser consent, then a refresh token in the program's hands) and queries
with the credentials it got:

    appflow = flow.InstalledAppFlow.from_client_secrets_file(
        "client_secrets.json", scopes=["https://www.googleapis.com/auth/bigquery"])
    appflow.run_local_server()
    credentials = appflow.credentials
    ... query: SELECT name, SUM(number) AS total ... WHERE name = 'William' GROUP BY name

Here the same program has no client secret, no flow and no token file: under
`bqbroker exec -- /usr/bin/python3 python_guide_credential_free.py BIGQUERY_BASE SQL`,
google.auth.default() (Debian's python3-google-auth 1.5.1) finds Compute Engine credentials at
exec's metadata endpoint, and the same REST call — jobs.query, POST
BIGQUERY_BASE/bigquery/v2/projects/PROJECT/queries — goes through the library's
AuthorizedSession, in the project google.auth.default() reports (exec's --project). The guide's
library, Debian's python3-google-auth-oauthlib, is imported to show that it is installed and
the environment is the guide's; its flow is not run.

Prints one JSON object: the guide's library (file, version, its InstalledAppFlow class), the
credentials google.auth.default() found and the project, the token's 10-character prefix and
SHA-256 (never the token), and the query's schema, rows (INTEGER as int, NUMERIC as Decimal's
text, TIMESTAMP as datetime's ISO 8601 text) and the Python type of each column's values. Exits
1 with the error on stderr when a step fails, 2 on wrong arguments or outside exec.
"""

import datetime
import decimal
import hashlib
import importlib.metadata
import json
import os
import sys


def typed_value(field_type, text):
    """A cell's REST text as the Python value a BigQuery client makes of it."""
    if text is None:
        return None
    if field_type in ("INTEGER", "INT64"):
        return int(text)
    if field_type in ("NUMERIC", "BIGNUMERIC"):
        return decimal.Decimal(text)
    if field_type == "TIMESTAMP":  # int64 µs (useInt64Timestamp), exact
        return (datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
                + datetime.timedelta(microseconds=int(text)))
    if field_type in ("FLOAT", "FLOAT64"):
        return float(text)
    if field_type in ("BOOLEAN", "BOOL"):
        return text == "true"
    return text


def printable(value):
    """JSON keeps int and str; a Decimal or datetime is printed as its exact text."""
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return value


def query(session, base, project, sql):
    """jobs.query through the library's AuthorizedSession (it puts the Authorization header on)."""
    response = session.post(
        "%s/bigquery/v2/projects/%s/queries" % (base, project),
        json={"query": sql, "useLegacySql": False,
              "formatOptions": {"useInt64Timestamp": True}})
    if response.status_code != 200:
        raise RuntimeError("jobs.query answered %d: %s" % (response.status_code, response.text))
    answer = response.json()
    if not answer.get("jobComplete"):
        raise RuntimeError("jobs.query did not complete: %s" % answer)
    fields = answer["schema"]["fields"]
    rows, types = [], {}
    for row in answer.get("rows", []):
        typed = {}
        for field, cell in zip(fields, row["f"]):
            value = typed_value(field["type"], cell["v"])
            if value is not None:
                types[field["name"]] = type(value).__name__
            typed[field["name"]] = printable(value)
        rows.append(typed)
    return {"schema": fields, "rows": rows, "types": types}


def main():
    if len(sys.argv) != 3:
        print("usage: python_guide_credential_free.py BIGQUERY_BASE SQL", file=sys.stderr)
        return 2
    if not os.environ.get("GCE_METADATA_ROOT"):
        print("python_guide_credential_free.py: run under bqbroker exec", file=sys.stderr)
        return 2
    base, sql = sys.argv[1:]

    # The guide's library (imported, not run), then google-auth, which reads the metadata
    # variables when its modules load.
    import google_auth_oauthlib.flow
    import google.auth
    from google.auth.transport.requests import AuthorizedSession, Request

    try:
        credentials, project = google.auth.default(
            scopes=["https://www.googleapis.com/auth/bigquery"], request=Request())
        session = AuthorizedSession(credentials)
        result = query(session, base, project, sql)
    except Exception as e:  # the library's errors are the test's message
        print("python_guide_credential_free.py: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        return 1

    token = credentials.token or ""  # refreshed by the session's first request
    flow = google_auth_oauthlib.flow.InstalledAppFlow
    print(json.dumps({
        "guide_library_file": google_auth_oauthlib.flow.__file__,
        "guide_library_version": importlib.metadata.version("google-auth-oauthlib"),
        "guide_flow": "%s.%s" % (flow.__module__, flow.__name__),
        "library_file": google.auth.__file__,
        "credentials": "%s.%s" % (type(credentials).__module__, type(credentials).__name__),
        "project": project,
        "token_prefix": token[:10],
        "token_sha256": hashlib.sha256(token.encode()).hexdigest(),
        "query": result,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
