package dev.steadfast.agent;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * What the runtime provides to one agent instance. Implemented by the runtime and attached before
 * any hook runs; agent authors use the methods of {@link Agent} instead.
 */
public interface AgentContext {
  String agentName();

  String name();

  Object state();

  void setState(Object state);

  Collection<Connection> connections();

  /** The connection whose RPC or frame is being handled on this thread; null otherwise. */
  Connection currentConnection();

  void broadcast(String message, Collection<String> excludeIds);

  Map<String, CallableInfo> callableMethods();

  Schedule schedule(long delaySeconds, Instant at, String cron, Long intervalSeconds,
      String callback, Object payload);

  Schedule getSchedule(String id);

  List<Schedule> getSchedules(Schedule.Type type, Instant from, Instant to);

  boolean cancelSchedule(String id);

  String queue(String callback, Object payload);

  boolean dequeue(String id);

  int dequeueAll();

  QueueItem getQueue(String id);

  List<QueueItem> getQueueItems();

  /** The workflows this instance started (runWorkflow and its tracking). */
  AgentWorkflowOps workflows();
}
