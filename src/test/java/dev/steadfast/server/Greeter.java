package dev.steadfast.server;

import jakarta.enterprise.context.ApplicationScoped;

/** A plain CDI bean that {@link ServerTestWorkflow} injects, to prove {@code @Inject} works there. */
@ApplicationScoped
public class Greeter {
  public String greet(String name) {
    return "Hello, " + name;
  }
}
