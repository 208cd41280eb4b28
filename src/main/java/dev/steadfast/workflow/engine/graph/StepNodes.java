package dev.steadfast.workflow.engine.graph;

import dev.steadfast.workflow.StepConfig;
import jakarta.json.JsonObjectBuilder;
import java.util.List;
import java.util.Map;

/** The node of one call of a step method, from the values of its arguments. */
final class StepNodes {
  private StepNodes() {}

  /** The node of {@code c}, or null for a step method that records nothing (reportProgress). */
  static JsonObjectBuilder of(Interpreter.Call c) {
    List<Value> a = c.args();
    String method = c.method().name();
    switch (method) {
      case "run" -> {
        Value config = a.stream().filter(v -> v.kind() == Value.Kind.CONFIG).findFirst()
            .orElse(null);
        return named("step_do", a.get(0)).add("config", config(config))
            .add("nodes", GraphBuilder.JSON.createArrayBuilder());
      }
      case "sleep" -> {
        return named("step_sleep", a.get(0)).add("duration", text(a.get(1)));
      }
      case "sleepUntil" -> {
        return named("step_sleep_until", a.get(0)).add("timestamp", text(a.get(1)));
      }
      case "waitForEvent" -> {
        JsonObjectBuilder options = GraphBuilder.JSON.createObjectBuilder()
            .add("event_type", a.size() > 1 ? text(a.get(1)) : "*");
        if (a.size() > 2 && a.get(2).durationText() != null) {
          options.add("timeout", a.get(2).durationText());
        }
        return named("step_wait_for_event", a.get(0)).add("options", options);
      }
      case "waitForApproval" -> {
        // AgentWorkflowStep: the default names, or the ones given
        boolean named = a.size() == 4;
        Value timeout = named ? a.get(2) : a.get(0);
        JsonObjectBuilder options = GraphBuilder.JSON.createObjectBuilder()
            .add("event_type", named ? text(a.get(1)) : "approval");
        if (timeout.durationText() != null) {
          options.add("timeout", timeout.durationText());
        }
        return named("step_wait_for_event", named ? a.get(0) : Value.string("wait-for-approval"))
            .add("options", options);
      }
      default -> {
        // AgentWorkflowStep's durable reports are steps of fixed names
        String name = switch (method) {
          case "reportComplete" -> "__agent_complete";
          case "reportError" -> "__agent_error";
          case "sendEvent" -> "__agent_event";
          case "updateAgentState", "mergeAgentState", "resetAgentState" -> "__agent_state";
          default -> null;
        };
        return name == null ? null : named("step_do", Value.string(name))
            .add("config", config(null)).add("nodes", GraphBuilder.JSON.createArrayBuilder());
      }
    }
  }

  private static JsonObjectBuilder named(String type, Value name) {
    JsonObjectBuilder b = GraphBuilder.JSON.createObjectBuilder().add("type", type);
    String n = name.name();
    b.add("name", n == null ? "*" : n);
    if (name.kind() != Value.Kind.STRING) {
      b.add("dynamic", true); // built at run time: "*" stands for the parts not known
    }
    return b;
  }

  private static String text(Value v) {
    String t = v.durationText();
    return t == null ? "*" : t;
  }

  /** The step's config as written over the defaults, in Cloudflare's shape. */
  private static JsonObjectBuilder config(Value v) {
    Map<String, Object> c = v == null || v.config() == null ? Map.of() : v.config();
    StepConfig d = StepConfig.DEFAULTS;
    JsonObjectBuilder retries = GraphBuilder.JSON.createObjectBuilder();
    Object limit = c.get("limit");
    if (limit instanceof Long l) {
      retries.add("limit", l);
    } else {
      retries.add("limit", d.limit());
    }
    Object delay = c.get("delay");
    if (delay != null) {
      retries.add("delay", delay.toString());
    } else {
      retries.add("delay", d.delay().toMillis());
    }
    Object backoff = c.get("backoff");
    retries.add("backoff", backoff != null ? backoff.toString() : d.backoff().wireName());
    JsonObjectBuilder out = GraphBuilder.JSON.createObjectBuilder().add("retries", retries);
    Object timeout = c.get("timeout");
    if (timeout != null) {
      out.add("timeout", timeout.toString());
    } else {
      out.add("timeout", d.timeout().toMillis());
    }
    return out;
  }
}
