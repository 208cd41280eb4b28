package dev.steadfast.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.steadfast.agent.ConnectContext;
import jakarta.websocket.Decoder;
import jakarta.websocket.Encoder;
import jakarta.websocket.Extension;
import jakarta.websocket.server.HandshakeRequest;
import jakarta.websocket.server.ServerEndpointConfig;
import java.net.URI;
import java.security.Principal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Handshake data reaching authenticators, and agent routing under a configurable prefix. */
class AgentHandshakeTest {
  private static final int HANDSHAKES = 64;

  /** An authenticator admitting only tokens starting with "good". */
  private static boolean admit(ConnectContext ctx) {
    String t = ctx.token();
    return t != null && t.startsWith("good");
  }

  /**
   * Runs concurrent handshakes, each with its own bearer header (even: valid, odd: invalid),
   * through the configurator and then the endpoint's context extraction; {@code perHandshake}
   * gives the config a container hands to modifyHandshake/onOpen. Returns the token each saw.
   */
  private static String[] handshake(Function<ServerEndpointConfig, ServerEndpointConfig> container)
      throws Exception {
    ServerEndpointConfig registered = AgentEndpoints.config("/agents/{agent}/{name}");
    String[] seen = new String[HANDSHAKES];
    CyclicBarrier start = new CyclicBarrier(HANDSHAKES);
    ExecutorService pool = Executors.newFixedThreadPool(HANDSHAKES);
    try {
      Future<?>[] done = new Future<?>[HANDSHAKES];
      for (int i = 0; i < HANDSHAKES; i++) {
        int n = i;
        done[i] = pool.submit(() -> {
          String token = (n % 2 == 0 ? "good-" : "bad-") + n;
          ServerEndpointConfig sec = container.apply(registered);
          start.await();
          sec.getConfigurator().modifyHandshake(sec, request("Bearer " + token), null);
          Thread.sleep(ThreadLocalRandom.current().nextInt(5)); // others handshake meanwhile
          // the session starts with a copy of the handshake's user properties
          ConnectContext ctx = AgentEndpoint.context(
              Map.of("agent", "plain-agent", "name", "x"), Map.of("_pk", List.of("pk" + n)),
              new HashMap<>(sec.getUserProperties()), sec.getUserProperties());
          seen[n] = ctx.token();
          assertEquals(n % 2 == 0 && ctx.token() != null, admit(ctx));
          return null;
        });
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    return seen;
  }

  @Test
  void concurrentHandshakesEachSeeTheirOwnHeaders() throws Exception {
    // WebSocket 2.1 (Tyrus 2.1 on Payara 6): a per-connection copy of the user properties
    String[] seen = handshake(PerConnection::new);
    for (int n = 0; n < HANDSHAKES; n++) {
      assertEquals((n % 2 == 0 ? "good-" : "bad-") + n, seen[n], "handshake " + n);
    }
  }

  @Test
  void aContainerSharingUserPropertiesNeverMixesHeaders() throws Exception {
    // a pre-2.1 container hands every handshake the endpoint's one map: headers are withheld
    String[] seen = handshake(shared -> shared);
    for (int n = 0; n < HANDSHAKES; n++) {
      assertNull(seen[n], "handshake " + n + " saw a header through the shared map");
    }
  }

  @Test
  void headersAreTakenOutOfTheSessionOnUse() {
    ServerEndpointConfig sec = new PerConnection(AgentEndpoints.config("/agents/{agent}/{name}"));
    sec.getConfigurator().modifyHandshake(sec, request("Bearer good-1"), null);
    Map<String, Object> session = new HashMap<>(sec.getUserProperties());
    ConnectContext ctx = AgentEndpoint.context(Map.of("agent", "a", "name", "n"), Map.of(),
        session, sec.getUserProperties());
    assertEquals("good-1", ctx.token());
    assertEquals(Map.of(), session);
    assertEquals(Map.of(), sec.getUserProperties());
  }

  @Test
  void routesFollowTheConfiguredPrefixAndIgnoreEmptySegments() {
    AgentRoutes def = new AgentRoutes(AgentRoutes.DEFAULT_PREFIX);
    assertEquals(new AgentRoutes.Route("counter-agent", "lobby", List.of()),
        def.match("/agents/counter-agent/lobby"));
    assertEquals(new AgentRoutes.Route("a", "b", List.of("x", "y")), def.match("//agents//a/b/x/y/"));
    assertEquals("/x/y", def.match("/agents/a/b/x/y").subPath());
    assertNull(def.match("/agents/a"), "too few segments: not an agent route");
    assertNull(def.match("/client/v4/accounts/x/agents"));

    AgentRoutes custom = new AgentRoutes("/some//prefix/");
    assertEquals("some/prefix", custom.prefix());
    assertEquals(new AgentRoutes.Route("a", "b c", List.of()), custom.match("//some/prefix/a/b%20c"));
    assertNull(custom.match("/agents/a/b"));
    assertNull(custom.match("/some/a/b"));
    assertEquals(List.of("/some/prefix/{agent}/{name}", "/some/prefix/{agent}/{name}/{p1}",
        "/some/prefix/{agent}/{name}/{p1}/{p2}", "/some/prefix/{agent}/{name}/{p1}/{p2}/{p3}"),
        custom.templates());
    assertThrows(IllegalArgumentException.class, () -> new AgentRoutes("//"));
  }

  private static HandshakeRequest request(String authorization) {
    Map<String, List<String>> headers = Map.of("Authorization", List.of(authorization));
    return new HandshakeRequest() {
      @Override
      public Map<String, List<String>> getHeaders() {
        return headers;
      }

      @Override
      public Principal getUserPrincipal() {
        return null;
      }

      @Override
      public URI getRequestURI() {
        return URI.create("/agents/plain-agent/x");
      }

      @Override
      public boolean isUserInRole(String role) {
        return false;
      }

      @Override
      public Object getHttpSession() {
        return null;
      }

      @Override
      public Map<String, List<String>> getParameterMap() {
        return Map.of();
      }

      @Override
      public String getQueryString() {
        return null;
      }
    };
  }

  /** What a WebSocket 2.1 container passes per handshake: the config with copied properties. */
  static final class PerConnection implements ServerEndpointConfig {
    private final ServerEndpointConfig wrapped;
    private final Map<String, Object> properties;

    PerConnection(ServerEndpointConfig wrapped) {
      this.wrapped = wrapped;
      this.properties = new HashMap<>(wrapped.getUserProperties());
    }

    @Override
    public Class<?> getEndpointClass() {
      return wrapped.getEndpointClass();
    }

    @Override
    public String getPath() {
      return wrapped.getPath();
    }

    @Override
    public List<String> getSubprotocols() {
      return wrapped.getSubprotocols();
    }

    @Override
    public List<Extension> getExtensions() {
      return wrapped.getExtensions();
    }

    @Override
    public Configurator getConfigurator() {
      return wrapped.getConfigurator();
    }

    @Override
    public List<Class<? extends Encoder>> getEncoders() {
      return wrapped.getEncoders();
    }

    @Override
    public List<Class<? extends Decoder>> getDecoders() {
      return wrapped.getDecoders();
    }

    @Override
    public Map<String, Object> getUserProperties() {
      return properties;
    }
  }
}
