#!/usr/bin/python3
"""Debian's python3-google-auth (1.5.1) asking for a token the way programs on GCE do.

Run under `bqbroker exec -- /usr/bin/python3 python_metadata_token.py`: exec points the
metadata variables at a bqbroker metadata session; google-auth 1.5.1 reads only
GCE_METADATA_ROOT (host:port of the metadata server) and GCE_METADATA_IP (the host:port it
pings to detect "GCE"), both at import time.

Prints one JSON line: the library's location and the credentials google.auth.default() found,
the service account email, the token's 10-character prefix and SHA-256 (never the token), its
expiry (UTC, ISO 8601) and the project. Exits 1 with the error on stderr when a step fails,
2 when the metadata variables are missing.
"""

import datetime
import hashlib
import json
import os
import sys


def main():
    for name in ("GCE_METADATA_ROOT", "GCE_METADATA_IP"):
        if not os.environ.get(name):
            print("python_metadata_token.py: %s is not set; run under bqbroker exec" % name,
                  file=sys.stderr)
            return 2

    # Imported after the check: the library reads the variables when its modules load.
    import google.auth
    from google.auth import compute_engine
    from google.auth.transport.requests import Request

    request = Request()
    try:
        # The application-default chain: no GOOGLE_APPLICATION_CREDENTIALS, no gcloud files in
        # the sandbox's HOME, so it must find "GCE" by pinging GCE_METADATA_IP.
        credentials, project = google.auth.default(request=request)
        if not isinstance(credentials, compute_engine.Credentials):
            print("python_metadata_token.py: google.auth.default() found %s, not Compute "
                  "Engine credentials" % type(credentials).__name__, file=sys.stderr)
            return 1
        credentials.refresh(request)
    except Exception as e:  # the library's errors are the test's message
        print("python_metadata_token.py: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        return 1

    token = credentials.token or ""
    expiry = credentials.expiry  # naive UTC, as the library keeps it
    print(json.dumps({
        "library_file": google.auth.__file__,
        "credentials": "%s.%s" % (type(credentials).__module__, type(credentials).__name__),
        "project": project,
        "email": credentials.service_account_email,
        "token_prefix": token[:10],
        "token_sha256": hashlib.sha256(token.encode()).hexdigest(),
        "expiry": expiry.replace(tzinfo=datetime.timezone.utc).isoformat() if expiry else None,
        "valid": credentials.valid,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
