package dev.steadfast.testing;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Raw HTTP calls to the v4 API with the envelope parsed; no assumptions about what comes back. */
public final class ApiClient {
  private final HttpClient http = Http.client();
  private final String base;
  private final String token;

  /** {@code base} is e.g. http://127.0.0.1:8182/client/v4/accounts/acc. */
  public ApiClient(String base, String token) {
    this.base = base;
    this.token = token;
  }

  /** An answer: status, raw body, and the body as JSON (null if it is not a JSON object). */
  public record Reply(int status, String text, JsonObject json) {
    public JsonValue result() {
      return json.get("result");
    }

    public int code() {
      return json.getJsonArray("errors").getJsonObject(0).getInt("code");
    }

    public String message() {
      return json.getJsonArray("errors").getJsonObject(0).getString("message");
    }

    @Override
    public String toString() {
      return status + " " + text;
    }
  }

  public Reply get(String path) {
    return send("GET", path, null);
  }

  public Reply send(String method, String path, String body) {
    return send(method, path, body, "application/json", token);
  }

  public Reply send(String method, String path, String body, String contentType, String bearer) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonObject json = null;
      try (var reader = Json.createReader(new StringReader(r.body()))) {
        JsonValue v = reader.readValue();
        json = v instanceof JsonObject o ? o : null;
      } catch (RuntimeException notJson) {
        // left null: the caller's assertion reports the raw text
      }
      return new Reply(r.statusCode(), r.body(), json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
