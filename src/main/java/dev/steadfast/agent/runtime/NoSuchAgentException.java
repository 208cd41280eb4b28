package dev.steadfast.agent.runtime;

/** No agent class routes under the given kebab name (HTTP 400 "Invalid request"). */
public class NoSuchAgentException extends RuntimeException {
  public NoSuchAgentException(String agent) {
    super("no agent class named " + agent);
  }
}
