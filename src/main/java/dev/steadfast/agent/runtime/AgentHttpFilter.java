package dev.steadfast.agent.runtime;

import dev.steadfast.agent.AgentRequest;
import dev.steadfast.agent.AgentResponse;
import dev.steadfast.agent.ConnectContext;
import jakarta.ejb.EJB;
import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.Config;

/**
 * Front door of the agent routes (under the configured prefix): a WebSocket upgrade continues to
 * the endpoint, and any other request goes to the agent's {@code onRequest}. A path whose agent
 * class is not registered is not ours: it passes through to the rest of the application, and only
 * when nothing there serves it (a 404) is it answered 400 "Invalid request" as the protocol says.
 * A filter rather than a servlet because the WebSocket upgrade must pass through on the same
 * paths; mapped to every path because the prefix comes from configuration.
 * {@code steadfast.agents.http.enabled=false} turns it off (WebSocket upgrades then reach the
 * endpoint directly, plain HTTP reaches the application).
 */
@WebFilter(urlPatterns = "/*", asyncSupported = true)
public class AgentHttpFilter extends HttpFilter {
  @EJB AgentRegistry registry;

  @Inject Config config;

  public static final String ENABLED_KEY = "steadfast.agents.http.enabled";
  private volatile AgentRoutes routes;
  private volatile boolean enabled;

  @Override
  public void init() {
    routes = AgentRoutes.from(config);
    enabled = config.getOptionalValue(ENABLED_KEY, Boolean.class).orElse(true);
  }

  @Override
  protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    String uri = req.getRequestURI().substring(req.getContextPath().length());
    AgentRoutes.Route route = enabled ? routes.match(uri) : null;
    if (route == null) {
      chain.doFilter(req, res); // not an agent route
      return;
    }
    AgentRuntime rt = registry.runtime();
    if (rt == null) {
      res.sendError(503, "agents are starting");
      return;
    }
    String agent = route.agent();
    String name = route.name();
    if (!rt.knows(agent)) {
      // maybe the application's own path: only what nothing else serves is refused
      chain.doFilter(req, new UnservedAsInvalid(res));
      return;
    }
    if ("websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) {
      UpgradeBuffer.shrink(res); // Payara: no 8 KiB buffer per frame sent
      chain.doFilter(uri.contains("//") ? new CollapsedPath(req) : req, res);
      return;
    }
    if (route.subAgent()) {
      text(res, 404, "Sub-agents are not supported");
      return;
    }
    Map<String, String> query = new LinkedHashMap<>();
    req.getParameterMap().forEach((k, v) -> query.put(k, v.length == 0 ? "" : v[0]));
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String h : Collections.list(req.getHeaderNames())) {
      headers.put(h, Collections.list(req.getHeaders(h)));
    }
    if (!rt.admit(new ConnectContext(agent, name, UUID.randomUUID().toString(), query, headers))) {
      text(res, 401, "Unauthorized");
      return;
    }
    int max = rt.limits().maxBody();
    if (req.getContentLengthLong() > max) {
      text(res, 413, "Request body over " + max + " bytes (steadfast.agents.max-body-size)");
      return;
    }
    byte[] bytes = req.getInputStream().readNBytes(max + 1); // a chunked body has no length
    if (bytes.length > max) {
      text(res, 413, "Request body over " + max + " bytes (steadfast.agents.max-body-size)");
      return;
    }
    String body = new String(bytes, StandardCharsets.UTF_8);
    AgentResponse r;
    try {
      r = rt.request(agent, name,
          new AgentRequest(req.getMethod(), route.subPath(), query, headers, body));
    } catch (AgentElsewhereException e) {
      res.setHeader("Retry-After", "1");
      text(res, 503, e.getMessage());
      return;
    }
    res.setStatus(r.status());
    r.headers().forEach(res::setHeader);
    if (r.contentType() != null) {
      res.setContentType(r.contentType());
    }
    if (r.body() != null) {
      res.getOutputStream().write(r.body().getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * The upgrade request with empty path segments dropped: the client sends {@code //p/a/n} for a
   * prefix given with a leading slash, and the WebSocket container matches the URI literally.
   */
  static final class CollapsedPath extends HttpServletRequestWrapper {
    CollapsedPath(HttpServletRequest req) {
      super(req);
    }

    @Override
    public String getRequestURI() {
      return super.getRequestURI().replaceAll("/{2,}", "/");
    }
  }

  /** Turns the application's "nothing here" (404 by sendError) into the protocol's 400. */
  static final class UnservedAsInvalid extends HttpServletResponseWrapper {
    UnservedAsInvalid(HttpServletResponse res) {
      super(res);
    }

    @Override
    public void sendError(int sc) throws IOException {
      sendError(sc, null);
    }

    @Override
    public void sendError(int sc, String msg) throws IOException {
      if (sc == 404 && !isCommitted()) {
        resetBuffer();
        text((HttpServletResponse) getResponse(), 400, "Invalid request");
      } else {
        super.sendError(sc, msg);
      }
    }
  }

  private static void text(HttpServletResponse res, int status, String body) throws IOException {
    res.setStatus(status);
    res.setContentType("text/plain; charset=utf-8");
    res.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
  }
}
