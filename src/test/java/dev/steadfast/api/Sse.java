package dev.steadfast.api;

import dev.steadfast.testing.Http;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A minimal Server-Sent Events reader for tests: the parts of the format the server writes. */
public final class Sse {
  private static final HttpClient HTTP = Http.client();
  private static final Event END = new Event(null, null, null);

  public final int status;
  public final String contentType;
  private final InputStream in;
  private final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private volatile boolean ended;
  private String body;

  public record Event(String id, String type, String data) {
    public JsonObject json() {
      return Json.createReader(new StringReader(data)).readObject();
    }
  }

  private Sse(HttpResponse<InputStream> r) {
    this.status = r.statusCode();
    this.contentType = r.headers().firstValue("Content-Type").orElse("");
    this.in = r.body();
    if (status == 200) {
      Thread t = new Thread(this::read, "sse-reader");
      t.setDaemon(true);
      t.start();
    }
  }

  public static Sse open(String url, String token, String lastEventId) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
        .header("Accept", "text/event-stream").header("Authorization", "Bearer " + token);
    if (lastEventId != null) {
      b.header("Last-Event-ID", lastEventId);
    }
    return new Sse(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
  }

  String body() throws IOException {
    if (body == null) {
      body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    return body;
  }

  private void read() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String id = null;
      String type = null;
      StringBuilder data = new StringBuilder();
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.isEmpty()) {
          if (type != null || data.length() > 0) {
            events.add(new Event(id, type, data.toString()));
          }
          type = null;
          data.setLength(0);
        } else if (line.startsWith("id:")) {
          id = line.substring(3).trim();
        } else if (line.startsWith("event:")) {
          type = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
          data.append(data.length() > 0 ? "\n" : "").append(line.substring(5).trim());
        }
      }
    } catch (IOException e) {
      // the stream was cut: end
    }
    events.add(END);
  }

  /** Reads into {@code seen} until an event of {@code type}; returns it. */
  public Event until(List<Event> seen, String type) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      assertTrue(left > 0, "no " + type + " event; got " + seen);
      Event e = events.poll(left, TimeUnit.NANOSECONDS);
      assertTrue(e != null && e != END, "no " + type + " event before the end; got " + seen);
      seen.add(e);
      if (type.equals(e.type())) {
        return e;
      }
    }
  }

  /** True if the server closes the stream within a few seconds and nothing more came. */
  boolean ended() throws InterruptedException {
    Event e = events.poll(5, TimeUnit.SECONDS);
    if (e == END) {
      ended = true;
    }
    return ended;
  }
}
