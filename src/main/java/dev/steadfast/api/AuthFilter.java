package dev.steadfast.api;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.PathSegment;
import jakarta.ws.rs.ext.Provider;
import java.util.List;

/**
 * Checks the bearer token, the Content-Type and Accept headers, then the account id in the
 * path, before any routing: an unknown path answers 401 to a caller without a token, so the
 * API's shape is not revealed to strangers.
 */
@Provider
@ApplicationScoped
@PreMatching
@Priority(Priorities.AUTHENTICATION)
public class AuthFilter implements ContainerRequestFilter {
  @Inject ApiTokens tokens;

  @Override
  public void filter(ContainerRequestContext request) {
    String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    String token = null;
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      token = header.substring(7).trim();
    }
    if (!tokens.accepts(token)) {
      request.abortWith(Envelope.error(401, ApiError.AUTHENTICATION, header == null
          ? "Authentication error: send Authorization: Bearer <token>"
          : "Authentication error: the token is not valid"));
      return;
    }
    try {
      // Jersey parses these lazily and answers a malformed one with its own HTML page
      request.getMediaType();
      request.getAcceptableMediaTypes();
    } catch (RuntimeException e) {
      request.abortWith(Envelope.error(400, ApiError.UNSUPPORTED_REQUEST,
          "malformed Content-Type or Accept header"));
      return;
    }
    String expected = tokens.accountId().orElse(null);
    if (expected == null) {
      return;
    }
    List<PathSegment> segments = request.getUriInfo().getPathSegments();
    if (segments.size() >= 2 && segments.get(0).getPath().equals("accounts")
        && !segments.get(1).getPath().equals(expected)) {
      request.abortWith(Envelope.error(403, ApiError.ACCOUNT_MISMATCH,
          "account '" + segments.get(1).getPath() + "' is not served here"));
    }
  }
}
