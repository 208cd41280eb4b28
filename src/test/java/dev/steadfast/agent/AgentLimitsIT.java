package dev.steadfast.agent;

import dev.steadfast.testing.Http;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.testing.ServerProcess;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Protocol abuse against the packaged WAR on Payara Micro, with Java's own WebSocket client
 * (the npm client cannot be made to misbehave): oversized frames, a client that never reads,
 * the text heartbeat, transports and routes the server does not serve, oversized HTTP bodies.
 */
class AgentLimitsIT {
  static ServerProcess server;
  static final HttpClient HTTP = Http.client();

  @BeforeAll
  static void start() throws Exception {
    server = new ServerProcess(ServerProcess.shippedWar(), ServerProcess.newDataDir("agent-limits"))
        .env("STEADFAST_EXAMPLES_ENABLED", "true")
        .env("STEADFAST_AGENTS_SEND_QUEUE_SIZE", "256KB")
        .env("STEADFAST_AGENTS_MAX_BODY_SIZE", "64KB");
    server.start();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** A client recording what arrives; it reads only as far as {@link #read} allows. */
  static final class Client implements WebSocket.Listener {
    final List<String> frames = new CopyOnWriteArrayList<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    final boolean reads;
    private final StringBuilder partial = new StringBuilder();
    WebSocket ws;

    Client(boolean reads) {
      this.reads = reads;
    }

    static Client open(String path, boolean reads) throws Exception {
      for (int attempt = 1; ; attempt++) {
        Client c = new Client(reads);
        try {
          c.ws = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
              .buildAsync(URI.create(server.baseUrl().replace("http", "ws") + path), c)
              .get(10, TimeUnit.SECONDS);
          return c;
        } catch (java.util.concurrent.ExecutionException e) {
          // Payara once answered an upgrade with a 301 from Catalina's mapper while failing
          // with a NullPointerException in Response.sendRedirect (its log, CI of 2026-12-02):
          // its fault, not the agents'; the handshake is tried once more, and only then fails
          if (attempt > 1 || !(e.getCause() instanceof java.net.http.WebSocketHandshakeException h)
              || h.getResponse().statusCode() / 100 != 3) {
            throw e;
          }
          System.out.println("AgentLimitsIT: handshake of " + path + " answered "
              + h.getResponse().statusCode() + "; trying once more");
          Thread.sleep(200);
        }
      }
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      if (reads) {
        webSocket.request(Long.MAX_VALUE);
      }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        frames.add(partial.toString());
        partial.setLength(0);
      }
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.completeExceptionally(error);
    }

    String await(String contains) throws InterruptedException {
      long end = System.currentTimeMillis() + 15_000;
      while (System.currentTimeMillis() < end) {
        for (String f : frames) {
          if (f.contains(contains)) {
            return f;
          }
        }
        Thread.sleep(10);
      }
      throw new AssertionError("no frame with " + contains + " in " + frames.size()
          + " frames; closed: " + closed);
    }
  }

  private static String rpc(String id, String method, String args) {
    return "{\"type\":\"rpc\",\"id\":\"" + id + "\",\"method\":\"" + method + "\",\"args\":"
        + args + "}";
  }

  @Test
  void aTenMegabyteFrameClosesTheConnectionWith1009AndTheServerStaysUsable() throws Exception {
    Client c = Client.open("/agents/counter-agent/big", true);
    c.await("cf_agent_mcp_servers");
    c.ws.sendText(rpc("1", "say", "[\"me\",\"" + "x".repeat(10 << 20) + "\"]"), true);
    assertEquals(1009, c.closed.get(30, TimeUnit.SECONDS));
    Client after = Client.open("/agents/counter-agent/big", true);
    after.ws.sendText(rpc("2", "increment", "[1]"), true);
    after.await("\"id\":\"2\",\"success\":true");
  }

  /**
   * A client that never reads, at the socket level: a raw WebSocket handshake with a small
   * receive buffer, then no read at all (Java's WebSocket client keeps reading into its own
   * buffer while it withholds demand, so it cannot play this part).
   */
  @Test
  @org.junit.jupiter.api.Disabled("fails on Payara 6: Tyrus completes an async send once Grizzly"
      + " has queued it, not once it reached the socket, so a client that never reads fills"
      + " Grizzly's write queue (7 of 10 MB delivered late, no close) instead of ours; see"
      + " docs/agents.md, Not done yet")
  void aClientThatNeverReadsIsClosedWhileOthersGoOn() throws Exception {
    try (Socket deaf = new Socket()) {
      deaf.setReceiveBufferSize(4096);
      deaf.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()));
      deaf.getOutputStream().write(("GET /agents/counter-agent/deaf?_pk=deaf HTTP/1.1\r\n"
          + "Host: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      java.io.InputStream in = deaf.getInputStream();
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        head.append((char) in.read()); // the handshake answer only; then it stops reading
      }
      assertTrue(head.toString().startsWith("HTTP/1.1 101"), head.toString());
      Client talker = Client.open("/agents/counter-agent/deaf?_pk=talker", true);
      talker.await("cf_agent_mcp_servers");
      String line = "y".repeat(500);
      // each state frame carries up to 50 lines of 500: ~25 KB; 400 of them (10 MB) are more
      // than the deaf client's 256 KB queue and the socket buffers hold. The talker waits for
      // each reply, as a person clicking would.
      int calls = 400;
      for (int i = 0; i < calls; i++) {
        talker.ws.sendText(rpc("s" + i, "say", "[\"t\",\"" + line + "\"]"), true).get();
        talker.await("\"id\":\"s" + i + "\",\"success\":true");
      }
      assertTrue(!talker.closed.isDone(), "the talker was closed");
      // reads at last: what was buffered, then a close frame with 1013 (0x88, length, 0x03F5)
      deaf.setSoTimeout(15_000);
      java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
      byte[] buf = new byte[65536];
      try {
        for (int n; (n = in.read(buf)) > 0; ) {
          got.write(buf, 0, n); // until the server ends the connection, or 15 s of silence
        }
      } catch (java.net.SocketTimeoutException | java.net.SocketException silentOrReset) {
        // what arrived is what counts
      }
      byte[] all = got.toByteArray();
      boolean closed1013 = false;
      for (int i = 0; i + 3 < all.length && !closed1013; i++) {
        closed1013 = (all[i] & 0xff) == 0x88 && (all[i + 2] & 0xff) == 0x03
            && (all[i + 3] & 0xff) == 0xF5;
      }
      assertTrue(closed1013, "no close 1013 in the " + all.length + " bytes the deaf client got");
      assertTrue(all.length < calls * 20_000, "the deaf client got everything: " + all.length);
    }
  }

  @Test
  void aTextPingIsAnsweredPong() throws Exception {
    Client c = Client.open("/agents/counter-agent/hb", true);
    c.await("cf_agent_mcp_servers");
    c.ws.sendText("ping", true);
    c.await("pong");
    assertTrue(c.frames.contains("pong"));
  }

  /**
   * Agent connections get Grizzly's smallest output buffer (512 bytes, {@code UpgradeBuffer}):
   * state frames below, around and far above it (the frame grows with every line, to ~25 KB)
   * reach another client whole, and the server did not have to give the small buffer up.
   */
  @Test
  void framesOfEverySizeReachTheOtherClientsWholeThroughTheSmallOutputBuffer() throws Exception {
    Client talker = Client.open("/agents/counter-agent/sizes?_pk=talker", true);
    Client listener = Client.open("/agents/counter-agent/sizes?_pk=listener", true);
    talker.await("cf_agent_mcp_servers");
    listener.await("cf_agent_mcp_servers");
    List<String> lines = new java.util.ArrayList<>();
    for (int i = 0; i < 50; i++) { // the demo keeps 50 lines of at most 500 characters
      int length = i == 0 ? 1 : i < 4 ? 100 * i : 500;
      String line = ("L" + i + "-" + "z".repeat(length)).substring(0, length);
      lines.add("t: " + line);
      talker.ws.sendText(rpc("w" + i, "say", "[\"t\",\"" + line + "\"]"), true).get();
      talker.await("\"id\":\"w" + i + "\",\"success\":true");
      // the listener's state frame after this call holds every line so far, in order
      String whole = "[\"" + String.join("\",\"", lines) + "\"]";
      String state = listener.await(whole);
      assertTrue(state.length() > whole.length(), "frame " + i);
    }
    assertTrue(lines.stream().mapToInt(String::length).sum() > 2 * 8192, "frames beyond 16 KiB");
    String log = java.nio.file.Files.readString(server.log());
    assertTrue(!log.contains("small output buffer"), "the server gave up the small buffer: "
        + log.lines().filter(l -> l.contains("small output buffer")).findFirst().orElse(""));
  }

  @Test
  void capnWebAndSubAgentsAreRefusedWithCodesTheClientDoesNotRetry() throws Exception {
    Client capn = Client.open("/agents/counter-agent/x?__agents_transport=capnweb", true);
    assertEquals(4400, capn.closed.get(10, TimeUnit.SECONDS));
    Client sub = Client.open("/agents/counter-agent/x/sub/child-agent/c1", true);
    assertEquals(4404, sub.closed.get(10, TimeUnit.SECONDS));
    HttpResponse<String> http = HTTP.send(HttpRequest.newBuilder(
        URI.create(server.url("/agents/counter-agent/x/sub/child-agent/c1"))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(404, http.statusCode());
  }

  /** A POST written in full on a raw socket (the server may refuse before reading it all). */
  private static String rawPost(String path, int bodyLength) throws Exception {
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(30_000);
      OutputStream out = s.getOutputStream();
      out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
          + "Content-Length: " + bodyLength + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.write("z".repeat(bodyLength).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void agentHttpBodiesAreBoundedAndUnknownAgentsStillAnswer400() throws Exception {
    String big = rawPost("/agents/counter-agent/b/upload", 65 * 1024);
    assertTrue(big.startsWith("HTTP/1.1 413"), big);
    assertTrue(big.contains("steadfast.agents.max-body-size"), big);
    HttpResponse<String> small = HTTP.send(HttpRequest.newBuilder(
        URI.create(server.url("/agents/counter-agent/b/upload")))
        .POST(HttpRequest.BodyPublishers.ofString("z".repeat(1024))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, small.statusCode(), small::body);
    HttpResponse<String> unknown = HTTP.send(HttpRequest.newBuilder(
        URI.create(server.url("/agents/no-such-agent/b"))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(400, unknown.statusCode());
    assertEquals("Invalid request", unknown.body());
  }

}
