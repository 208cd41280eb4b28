package dev.steadfast.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;
import java.io.PrintWriter;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The small output buffer an agent connection gets on Payara, reached through stand-ins shaped
 * like Payara's classes (a facade with a {@code response} field, a response with {@code
 * getCoyoteResponse()}, a Grizzly response with {@code setBufferSize(int)}). AgentLimitsIT checks
 * it against the real Payara Micro (no warning, frames of every size whole).
 */
class UpgradeBufferTest {
  /** Stands in for Grizzly's response: remembers the size it was given. */
  public static final class GrizzlyResponse {
    int bufferSize = 8192;

    public void setBufferSize(int size) {
      bufferSize = Math.max(size, 512);
    }
  }

  /** Stands in for Catalina's response. */
  public static final class CatalinaResponse {
    final GrizzlyResponse grizzly = new GrizzlyResponse();

    public GrizzlyResponse getCoyoteResponse() {
      return grizzly;
    }
  }

  /** A response without the way down (another version, another container). */
  public static final class Unreachable {
  }

  /** Stands in for Payara's facade: the servlet response an application sees. */
  static final class Facade extends Base {
    @SuppressWarnings("unused") // read by reflection, as Payara's is
    private final Object response;

    Facade(Object response) {
      this.response = response;
    }
  }

  @BeforeEach
  @AfterEach
  void forget() {
    UpgradeBuffer.reset();
  }

  @Test
  void aPayaraResponseGetsGrizzlysSmallestBufferThroughTheApplicationsWrappers() {
    CatalinaResponse catalina = new CatalinaResponse();
    ServletResponse seen = new ServletResponseWrapper(new ServletResponseWrapper(
        new Facade(catalina)));

    assertTrue(UpgradeBuffer.shrink(seen, Facade.class.getName()));
    assertEquals(512, catalina.grizzly.bufferSize);

    // the way down is learnt once and serves the next connection
    CatalinaResponse next = new CatalinaResponse();
    assertTrue(UpgradeBuffer.shrink(new Facade(next), Facade.class.getName()));
    assertEquals(512, next.grizzly.bufferSize);
  }

  @Test
  void anotherContainersResponseIsLeftAlone() {
    CatalinaResponse catalina = new CatalinaResponse();
    assertFalse(UpgradeBuffer.shrink(new Facade(catalina), "io.undertow.servlet.spec."
        + "HttpServletResponseImpl"));
    assertEquals(8192, catalina.grizzly.bufferSize);
    // and does not stop it from working where it can
    assertTrue(UpgradeBuffer.shrink(new Facade(catalina), Facade.class.getName()));
    assertEquals(512, catalina.grizzly.bufferSize);
  }

  @Test
  void aPayaraThatChangedItsClassesIsToldOnceAndThenLeftAlone() {
    assertFalse(UpgradeBuffer.shrink(new Facade(new Unreachable()), Facade.class.getName()));
    // given up: not tried again per connection, even with a response it could reach
    CatalinaResponse catalina = new CatalinaResponse();
    assertFalse(UpgradeBuffer.shrink(new Facade(catalina), Facade.class.getName()));
    assertEquals(8192, catalina.grizzly.bufferSize);
  }

  /** A servlet response that does nothing: the facade stand-in needs the type only. */
  abstract static class Base implements ServletResponse {
    @Override
    public String getCharacterEncoding() {
      return "UTF-8";
    }

    @Override
    public String getContentType() {
      return null;
    }

    @Override
    public ServletOutputStream getOutputStream() {
      throw new UnsupportedOperationException();
    }

    @Override
    public PrintWriter getWriter() {
      throw new UnsupportedOperationException();
    }

    @Override
    public void setCharacterEncoding(String charset) {
    }

    @Override
    public void setContentLength(int len) {
    }

    @Override
    public void setContentLengthLong(long len) {
    }

    @Override
    public void setContentType(String type) {
    }

    @Override
    public void setBufferSize(int size) {
      throw new AssertionError("the servlet API cannot shrink Payara's buffer: not to be used");
    }

    @Override
    public int getBufferSize() {
      return 8192;
    }

    @Override
    public void flushBuffer() {
    }

    @Override
    public void resetBuffer() {
    }

    @Override
    public boolean isCommitted() {
      return false;
    }

    @Override
    public void reset() {
    }

    @Override
    public void setLocale(Locale loc) {
    }

    @Override
    public Locale getLocale() {
      return Locale.ROOT;
    }
  }
}
