package dev.steadfast.agent.runtime;

import dev.steadfast.workflow.Durations;
import java.time.Duration;
import org.eclipse.microprofile.config.Config;

/**
 * The bounds on what clients can make one server hold: each is a configuration key (see
 * docs/agents.md) with a default safe for a public endpoint. Sizes are counted in characters of
 * JSON text (one byte each for ASCII).
 *
 * @param maxMessage largest text frame a client may send ({@code steadfast.agents.max-message-size});
 *     a larger one closes the connection with 1009
 * @param sendQueue characters waiting to be written to one connection
 *     ({@code steadfast.agents.send-queue-size}); a client that lets more pile up is closed with
 *     1013 and may reconnect
 * @param sendTimeout how long one frame may take to reach a client
 *     ({@code steadfast.agents.send-timeout}); a client slower than this is closed with 1013
 * @param maxBody largest HTTP request body to an agent's onRequest
 *     ({@code steadfast.agents.max-body-size}); a larger one is answered 413
 * @param maxState largest state an agent may store ({@code steadfast.agents.max-state-size});
 *     setState above it throws, a client's state frame above it gets a state error
 * @param maxConnections open agent WebSocket connections per server
 *     ({@code steadfast.agents.max-connections}); one more is closed with 1013
 */
public record AgentLimits(int maxMessage, long sendQueue, Duration sendTimeout, int maxBody,
    int maxState, int maxConnections) {
  public static final AgentLimits DEFAULT = new AgentLimits(1 << 20, 4L << 20,
      Duration.ofSeconds(10), 1 << 20, 1 << 20, 10_000);

  public AgentLimits {
    if (maxMessage <= 0 || sendQueue <= 0 || sendTimeout.isNegative() || sendTimeout.isZero()
        || maxBody <= 0 || maxState <= 0 || maxConnections <= 0) {
      throw new IllegalArgumentException("agent limits must be positive: " + this);
    }
  }

  public static AgentLimits from(Config config) {
    return new AgentLimits(
        size(config, "steadfast.agents.max-message-size", DEFAULT.maxMessage),
        size(config, "steadfast.agents.send-queue-size", (int) DEFAULT.sendQueue),
        config.getOptionalValue("steadfast.agents.send-timeout", String.class)
            .map(Durations::parse).orElse(DEFAULT.sendTimeout),
        size(config, "steadfast.agents.max-body-size", DEFAULT.maxBody),
        size(config, "steadfast.agents.max-state-size", DEFAULT.maxState),
        config.getOptionalValue("steadfast.agents.max-connections", Integer.class)
            .orElse(DEFAULT.maxConnections));
  }

  /** A size: a number of bytes, or with a unit {@code KB} / {@code MB} (powers of 1024). */
  static int size(Config config, String key, int fallback) {
    return config.getOptionalValue(key, String.class).map(v -> parseSize(key, v))
        .orElse(fallback);
  }

  static int parseSize(String key, String value) {
    String v = value.trim().toUpperCase(java.util.Locale.ROOT).replace(" ", "");
    long unit = 1;
    if (v.endsWith("KB")) {
      unit = 1 << 10;
      v = v.substring(0, v.length() - 2);
    } else if (v.endsWith("MB")) {
      unit = 1 << 20;
      v = v.substring(0, v.length() - 2);
    } else if (v.endsWith("B")) {
      v = v.substring(0, v.length() - 1);
    }
    try {
      long n = Long.parseLong(v) * unit;
      if (n <= 0 || n > Integer.MAX_VALUE) {
        throw new NumberFormatException();
      }
      return (int) n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a positive size such as 65536, 64KB or"
          + " 1MB (at most 2 GB), got '" + value + "'");
    }
  }

  AgentLimits withSendQueue(long chars) {
    return new AgentLimits(maxMessage, chars, sendTimeout, maxBody, maxState, maxConnections);
  }

  AgentLimits withSendTimeout(Duration d) {
    return new AgentLimits(maxMessage, sendQueue, d, maxBody, maxState, maxConnections);
  }

  AgentLimits withMaxState(int chars) {
    return new AgentLimits(maxMessage, sendQueue, sendTimeout, maxBody, chars, maxConnections);
  }

  AgentLimits withMaxConnections(int n) {
    return new AgentLimits(maxMessage, sendQueue, sendTimeout, maxBody, maxState, n);
  }

  AgentLimits withMaxMessage(int chars) {
    return new AgentLimits(chars, sendQueue, sendTimeout, maxBody, maxState, maxConnections);
  }
}
