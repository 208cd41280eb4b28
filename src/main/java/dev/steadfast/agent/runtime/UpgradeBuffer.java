package dev.steadfast.agent.runtime;

import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Gives an agent connection on Payara the smallest output buffer its HTTP layer has (512 bytes)
 * instead of the response's 8 KiB, before the WebSocket upgrade.
 *
 * <p>Payara's WebSocket implementation (Tyrus over the servlet upgrade) writes every frame
 * through the upgraded response's output stream, and Grizzly's output buffer under it allocates
 * a fresh buffer of the response's size for every write it holds (the last one went to the
 * socket with its buffer). An agent frame is small (a state frame of the demo is 60 bytes), so a
 * broadcast to 10,000 clients allocated 80 MiB of 8 KiB arrays the server threw away at once: a
 * young collection per broadcast, whose pause grows with the clients' sessions in the old
 * generation. With 512 bytes a small frame costs a 512-byte buffer, and a larger frame is handed
 * to the socket from Tyrus's own array (copied only when the socket cannot take it at once).
 *
 * <p>The servlet API cannot do it: Payara only ever grows a response's buffer. The Grizzly
 * response under the servlet one can, so it is reached by reflection (Payara's response facade,
 * its Catalina response, {@code getCoyoteResponse()}). On another container (WildFly's Undertow)
 * or if Payara changes those classes, nothing happens and a warning says so once.
 */
final class UpgradeBuffer {
  private static final Logger LOG = Logger.getLogger(UpgradeBuffer.class.getName());
  static final String FACADE = "org.apache.catalina.connector.ResponseFacade";
  /** Grizzly's smallest output buffer. */
  static final int SIZE = 512;

  /** How to reach the Grizzly response from a facade, learnt from the first one. */
  private record Path(Class<?> facade, Field response, Class<?> inner, Method coyote,
      Class<?> grizzly, Method setBufferSize) {}

  private static volatile Path path;
  private static volatile boolean unavailable;

  private UpgradeBuffer() {}

  /** Shrinks {@code response}'s buffer for the upgrade; false when it could not (not Payara). */
  static boolean shrink(ServletResponse response) {
    return shrink(response, FACADE);
  }

  static boolean shrink(ServletResponse response, String facadeClass) {
    ServletResponse r = response;
    while (r instanceof ServletResponseWrapper w) {
      r = w.getResponse();
    }
    if (unavailable || r == null || !r.getClass().getName().equals(facadeClass)) {
      return false;
    }
    try {
      Path p = path;
      if (p == null || p.facade() != r.getClass()) {
        Field f = r.getClass().getDeclaredField("response");
        f.setAccessible(true);
        p = new Path(r.getClass(), f, null, null, null, null);
      }
      Object inner = p.response().get(r);
      if (p.inner() != inner.getClass()) {
        p = new Path(p.facade(), p.response(), inner.getClass(),
            inner.getClass().getMethod("getCoyoteResponse"), null, null);
      }
      Object grizzly = p.coyote().invoke(inner);
      if (p.grizzly() != grizzly.getClass()) {
        p = new Path(p.facade(), p.response(), p.inner(), p.coyote(), grizzly.getClass(),
            grizzly.getClass().getMethod("setBufferSize", int.class));
      }
      path = p;
      p.setBufferSize().invoke(grizzly, SIZE);
      return true;
    } catch (ReflectiveOperationException | RuntimeException e) {
      unavailable = true;
      LOG.log(Level.WARNING, "agent connections: could not give the upgraded response a small"
          + " output buffer (" + e + "); they work, each frame allocates the response's buffer", e);
      return false;
    }
  }

  /** For tests: forget what was learnt. */
  static void reset() {
    path = null;
    unavailable = false;
  }
}
