// An unmodified Google client library asking for a token the way programs on GCE do: through the
// metadata server named by GCE_METADATA_HOST (a bqbroker metadata endpoint in the tests).
// Prints one JSON line: {"token": ACCESS_TOKEN, "project": PROJECT_ID or null,
// "email": the service account's email}. Exits 1 with the error on stderr when a call fails.
import { GoogleAuth } from 'google-auth-library';

if (!process.env.GCE_METADATA_HOST) {
  console.error('metadata_token.mjs: set GCE_METADATA_HOST to the metadata endpoint (host:port)');
  process.exit(2);
}

try {
  const auth = new GoogleAuth();
  const token = await auth.getAccessToken();
  const project = await auth.getProjectId().catch(() => null);
  const credentials = await auth.getCredentials();
  console.log(JSON.stringify({ token, project, email: credentials.client_email ?? null }));
} catch (e) {
  console.error(`metadata_token.mjs: ${e?.message ?? e}`);
  process.exit(1);
}
