package dev.steadfast.agent.runtime;

import dev.steadfast.workflow.engine.metrics.Collector;
import dev.steadfast.workflow.engine.metrics.Counter;
import dev.steadfast.workflow.engine.metrics.PrometheusText;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * The agents' metrics on this server, scraped with the engine's ({@link
 * AgentRuntime#attachWorkflows} adds them): open connections and live instances now, RPCs and
 * broadcasts since the server started, by agent class.
 */
public final class AgentMetrics implements Collector {
  final Counter rpcs = new Counter("steadfast_agent_rpcs_total",
      "RPC frames received from agent clients.", "agent");
  final Counter rpcErrors = new Counter("steadfast_agent_rpc_errors_total",
      "RPCs answered with an error (unknown method, bad arguments, the method threw).", "agent");
  final Counter broadcasts = new Counter("steadfast_agent_broadcasts_total",
      "Broadcasts (state changes and broadcast calls) sent to an instance's connections.",
      "agent");
  final Counter broadcastFrames = new Counter("steadfast_agent_broadcast_frames_total",
      "Frames sent by broadcasts (one per receiving connection).", "agent");
  final Counter connectionsOpened = new Counter("steadfast_agent_connections_opened_total",
      "Agent WebSocket connections accepted.", "agent");
  private final IntSupplier connections;
  private final IntSupplier liveInstances;

  AgentMetrics(IntSupplier connections, IntSupplier liveInstances) {
    this.connections = connections;
    this.liveInstances = liveInstances;
  }

  void rpc(String agent) {
    rpcs.inc(agent);
  }

  void rpcFailed(String agent) {
    rpcErrors.inc(agent);
  }

  void broadcast(String agent, int frames) {
    broadcasts.inc(agent);
    broadcastFrames.add(frames, agent);
  }

  void connected(String agent) {
    connectionsOpened.inc(agent);
  }

  /** RPCs received by instances of {@code agent} (tests). */
  public long rpcCount(String agent) {
    return rpcs.value(agent);
  }

  @Override
  public void collect(PrometheusText out) {
    out.family("steadfast_agent_connections", "gauge", "Open agent connections on this server.")
        .sample("steadfast_agent_connections", List.of(), List.of(), connections.getAsInt());
    out.family("steadfast_agent_live_instances", "gauge",
        "Agent instances in memory on this server.")
        .sample("steadfast_agent_live_instances", List.of(), List.of(), liveInstances.getAsInt());
    for (Collector c : List.of(rpcs, rpcErrors, broadcasts, broadcastFrames, connectionsOpened)) {
      c.collect(out);
    }
  }
}
