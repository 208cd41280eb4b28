package dev.steadfast.agent.runtime;

/**
 * The WebSocket close codes the runtime uses. The agents client reconnects after any code except
 * 1008 and 4000-4999, which it treats as final: those are for refusals a retry cannot fix.
 */
final class CloseCodes {
  /** Shutdown, or a client that stopped answering pings: reconnect. */
  static final int GOING_AWAY = 1001;
  /** Unknown agent, refused by an authenticator: final. */
  static final int POLICY_VIOLATION = 1008;
  /** A frame above steadfast.agents.max-message-size. */
  static final int TOO_BIG = 1009;
  /** Server busy: too many connections, or a client too slow to read what it is sent. */
  static final int TRY_AGAIN_LATER = 1013;
  /** A transport the client asked for that this server does not speak (Cap'n Web): final. */
  static final int UNSUPPORTED_TRANSPORT = 4400;
  /** The client's own code for a sub-agent route that is not served: final. */
  static final int NOT_FOUND = 4404;

  private CloseCodes() {}
}
