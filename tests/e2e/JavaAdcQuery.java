// Debian's libgoogle-auth-java (0.18) finding Application Default Credentials and querying
// BigQuery the way a Java program on GCE does, unchanged.
//
// Run under `bqbroker exec -- java -cp … JavaAdcQuery BIGQUERY_BASE PROJECT SQL`: with no
// GOOGLE_APPLICATION_CREDENTIALS and no gcloud file, GoogleCredentials.getApplicationDefault()
// falls back to ComputeEngineCredentials once it has pinged the metadata server, which 0.18 finds
// through GCE_METADATA_HOST alone (exec sets it). The JVM's default networking is kept (IPv6
// sockets; no java.net.preferIPv4Stack).
//
// Prints one JSON object: the jar the library came from and its version, the credentials class
// it chose, the account it reports (or "account_error"), the token's 10-character prefix and
// SHA-256 (never the token), its expiry, and the query's schema, rows (INTEGER as Long, NUMERIC
// as BigDecimal's plain digits, TIMESTAMP as Instant's ISO 8601 text) and the Java class of each
// column's values. The query goes through the library's own HttpCredentialsAdapter on
// google-http-client (jobs.query, POST BIGQUERY_BASE/bigquery/v2/projects/PROJECT/queries).
// Exits 1 with the error on stderr when a step fails, 2 on wrong arguments.

import com.google.api.client.http.GenericUrl;
import com.google.api.client.http.HttpRequest;
import com.google.api.client.http.HttpResponse;
import com.google.api.client.http.json.JsonHttpContent;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.client.json.GenericJson;
import com.google.api.client.json.JsonFactory;
import com.google.api.client.json.JsonObjectParser;
import com.google.api.client.json.jackson2.JacksonFactory;
import com.google.auth.http.HttpCredentialsAdapter;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.ComputeEngineCredentials;
import com.google.auth.oauth2.GoogleCredentials;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

public final class JavaAdcQuery {
  // The factory 0.18 itself parses the metadata server's JSON with (deprecated in
  // google-http-client 1.42 in favour of GsonFactory, which the library does not use).
  @SuppressWarnings("deprecation")
  private static final JsonFactory JSON = JacksonFactory.getDefaultInstance();

  public static void main(String[] args) {
    if (args.length != 3) {
      System.err.println("usage: JavaAdcQuery BIGQUERY_BASE PROJECT SQL (under bqbroker exec)");
      System.exit(2);
    }
    try {
      System.out.println(JSON.toString(run(args[0], args[1], args[2])));
    } catch (Exception e) { // the library's errors are the test's message
      System.err.println("JavaAdcQuery: " + causes(e));
      System.exit(1);
    }
  }

  private static Map<String, Object> run(String base, String project, String sql) throws Exception {
    GoogleCredentials credentials = GoogleCredentials.getApplicationDefault();
    credentials.refresh();
    AccessToken token = credentials.getAccessToken();
    String value = token.getTokenValue();

    Map<String, Object> out = new LinkedHashMap<>();
    out.put("library_jar",
        GoogleCredentials.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    out.put("library_version", libraryVersion());
    out.put("credentials", credentials.getClass().getName());
    if (credentials instanceof ComputeEngineCredentials) {
      // getAccount() reads GET …/instance/service-accounts/?recursive=true as JSON. Its failure is
      // recorded, not fatal, so that the token and the query are still checked.
      try {
        out.put("account", ((ComputeEngineCredentials) credentials).getAccount());
      } catch (RuntimeException e) {
        out.put("account_error", causes(e));
      }
    }
    out.put("token_prefix", value.substring(0, Math.min(10, value.length())));
    out.put("token_sha256", sha256Hex(value));
    out.put("expiry", token.getExpirationTime() == null
            ? null : token.getExpirationTime().toInstant().toString());
    out.put("query", query(credentials, base, project, sql));
    return out;
  }

  // jobs.query through HttpCredentialsAdapter: the library puts the Authorization header on.
  private static Map<String, Object> query(GoogleCredentials credentials, String base,
      String project, String sql) throws Exception {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("query", sql);
    body.put("useLegacySql", false);
    Map<String, Object> formatOptions = new LinkedHashMap<>();
    formatOptions.put("useInt64Timestamp", true); // µs, exact (float seconds lose them)
    body.put("formatOptions", formatOptions);

    HttpRequest request = new NetHttpTransport()
        .createRequestFactory(new HttpCredentialsAdapter(credentials))
        .buildPostRequest(new GenericUrl(base + "/bigquery/v2/projects/" + project + "/queries"),
            new JsonHttpContent(JSON, body));
    request.setParser(new JsonObjectParser(JSON));
    request.setThrowExceptionOnExecuteError(false);
    HttpResponse response = request.execute();
    if (!response.isSuccessStatusCode()) {
      throw new IllegalStateException("jobs.query answered " + response.getStatusCode() + ": "
          + response.parseAsString());
    }
    GenericJson answer = response.parseAs(GenericJson.class);
    if (!Boolean.TRUE.equals(answer.get("jobComplete"))) {
      throw new IllegalStateException("jobs.query did not complete: " + answer);
    }

    List<Map<String, Object>> fields = list(((Map<?, ?>) answer.get("schema")).get("fields"));
    List<Object> rows = new ArrayList<>();
    Map<String, Object> types = new LinkedHashMap<>();
    for (Map<String, Object> row : list(answer.get("rows"))) {
      List<Map<String, Object>> cells = list(row.get("f"));
      Map<String, Object> typed = new LinkedHashMap<>();
      for (int i = 0; i < fields.size(); ++i) {
        String name = (String) fields.get(i).get("name");
        Object v = typedValue((String) fields.get(i).get("type"), cells.get(i).get("v"));
        if (v != null) types.put(name, v.getClass().getName());
        // JSON keeps Long and String; a BigDecimal or Instant is printed as its text.
        typed.put(name, v instanceof BigDecimal ? ((BigDecimal) v).toPlainString()
                : v instanceof Instant ? v.toString() : v);
      }
      rows.add(typed);
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("schema", fields);
    result.put("rows", rows);
    result.put("types", types);
    return result;
  }

  // A cell's REST text as the Java value a BigQuery client makes of it.
  private static Object typedValue(String type, Object v) {
    if (!(v instanceof String)) return v; // NULL
    String text = (String) v;
    switch (type) {
      case "INTEGER":
      case "INT64":
        return Long.valueOf(text);
      case "NUMERIC":
      case "BIGNUMERIC":
        return new BigDecimal(text);
      case "TIMESTAMP":
        return Instant.EPOCH.plus(Long.parseLong(text), ChronoUnit.MICROS);
      case "FLOAT":
      case "FLOAT64":
        return Double.valueOf(text);
      case "BOOLEAN":
      case "BOOL":
        return Boolean.valueOf(text);
      default:
        return text;
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Object value) {
    return value == null ? new ArrayList<>() : (List<Map<String, Object>>) value;
  }

  // "Class: message; caused by Class: message…": the library wraps its errors.
  private static String causes(Throwable e) {
    StringBuilder text = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t != e) text.append("; caused by ");
      text.append(t.getClass().getName()).append(": ").append(t.getMessage());
    }
    return text.toString();
  }

  // The version Maven recorded in the library's jar.
  private static String libraryVersion() throws Exception {
    Properties pom = new Properties();
    try (InputStream in = GoogleCredentials.class.getResourceAsStream(
             "/META-INF/maven/com.google.auth/google-auth-library-oauth2-http/pom.properties")) {
      if (in != null) pom.load(in);
    }
    return pom.getProperty("version");
  }

  private static String sha256Hex(String text) throws Exception {
    byte[] digest =
        MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    StringBuilder hex = new StringBuilder();
    for (byte b : digest) {
      hex.append(String.format("%02x", b));
    }
    return hex.toString();
  }
}
