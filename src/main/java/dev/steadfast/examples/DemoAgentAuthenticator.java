package dev.steadfast.examples;

import dev.steadfast.agent.AgentAuthenticator;
import dev.steadfast.agent.ConnectContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

/**
 * Demo admission control: when {@code steadfast.agents.demo-token} is set, connections must
 * carry it ({@code ?token=} or {@code Authorization: Bearer}); unset, everyone is admitted.
 */
@ApplicationScoped
public class DemoAgentAuthenticator implements AgentAuthenticator {
  @Inject Config config;

  @Override
  public boolean admit(ConnectContext context) {
    String expected = config.getOptionalValue("steadfast.agents.demo-token", String.class)
        .filter(s -> !s.isBlank()).orElse(null);
    return expected == null || expected.equals(context.token());
  }
}
