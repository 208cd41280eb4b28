package dev.steadfast.api;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import org.eclipse.microprofile.config.Config;

/**
 * {@code steadfast.api.enabled=false} takes the whole {@code /client/v4} API (workflows and the
 * agents admin view) away: every request is answered 404 as if it did not exist, before the
 * token is even looked at. For an application that embeds the library and wants no HTTP
 * management surface.
 */
@Provider
@ApplicationScoped
@PreMatching
@Priority(Priorities.AUTHENTICATION - 100)
public class ApiSwitch implements ContainerRequestFilter {
  public static final String ENABLED_KEY = "steadfast.api.enabled";

  @Inject Config config;

  private volatile Boolean enabled;

  @Override
  public void filter(ContainerRequestContext request) {
    Boolean on = enabled;
    if (on == null) {
      on = config.getOptionalValue(ENABLED_KEY, Boolean.class).orElse(true);
      enabled = on;
    }
    if (!on) {
      request.abortWith(Response.status(404).type("text/plain").entity("Not Found").build());
    }
  }
}
