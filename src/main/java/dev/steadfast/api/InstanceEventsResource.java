package dev.steadfast.api;

import dev.steadfast.workflow.ErrorInfo;
import dev.steadfast.workflow.RollbackOutcome;
import dev.steadfast.workflow.InstanceEvent;
import dev.steadfast.workflow.WorkflowException;
import dev.steadfast.workflow.engine.WorkflowEngine;
import dev.steadfast.workflow.engine.events.EventSink;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * An instance's events as Server-Sent Events: {@code id:} is the event id (a reconnecting
 * {@code EventSource} sends it back as {@code Last-Event-ID}), {@code event:} the type, {@code
 * data:} the event as JSON. The history after the cursor comes first, then live events; the
 * stream closes after the terminal event.
 */
@RequestScoped
@Path("/accounts/{account_id}/workflows/{name}/instances/{id}/subscribe")
public class InstanceEventsResource {
  @Inject WorkflowEngine engine;

  @PathParam("name") String workflow;

  @GET
  @Produces(MediaType.SERVER_SENT_EVENTS)
  public void subscribe(@PathParam("id") String id,
      @HeaderParam("Last-Event-ID") String lastEventId, @QueryParam("cursor") String cursor,
      @QueryParam("types") String types, @Context SseEventSink sink, @Context Sse sse) {
    long after = cursor(lastEventId != null && !lastEventId.isBlank() ? lastEventId : cursor);
    Predicate<InstanceEvent> filter = filter(types);
    SseSink out = new SseSink(sink, sse);
    // an unknown workflow or instance throws here, before anything is written: a v4 error reply
    out.unsubscribe.set(engine.events().subscribe(workflow, id, after, filter, out));
    if (out.ended) {
      out.unsubscribe.get().run();
    }
  }

  private static long cursor(String value) {
    if (value == null || value.isBlank()) {
      return 0;
    }
    try {
      long c = Long.parseLong(value.trim());
      if (c >= 0) {
        return c;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new ApiError(400, ApiError.INVALID_PARAMETER,
        "cursor (or Last-Event-ID) must be an event id (a non-negative integer), got '" + value
            + "'");
  }

  private static Predicate<InstanceEvent> filter(String types) {
    if (types == null || types.isBlank()) {
      return null;
    }
    Set<String> wanted = Arrays.stream(types.split(",")).map(String::trim)
        .filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    for (String t : wanted) {
      if (!InstanceEvent.TYPES.contains(t)) {
        throw new ApiError(400, ApiError.INVALID_PARAMETER, "unknown event type '" + t
            + "' in types: use " + String.join(", ", InstanceEvent.TYPES.stream().sorted()
                .toList()));
      }
    }
    return e -> wanted.contains(e.type());
  }

  /** The event as the {@code data:} JSON of the stream. */
  static JsonObject json(InstanceEvent e) {
    JsonObjectBuilder b = Jsonp.P.createObjectBuilder()
        .add("instanceId", e.instanceId())
        .add("eventId", e.eventId())
        .add("timestamp", e.timestamp().toString())
        .add("type", e.type());
    e.fields().forEach((k, v) -> {
      if (InstanceEvent.JSON_FIELDS.contains(k)) {
        b.add(k, Wire.json((String) v));
      } else if (v instanceof ErrorInfo err) {
        b.add(k, Wire.error(err.name(), err.message()));
      } else if (v instanceof RollbackOutcome r) {
        b.add(k, Wire.rollback(r));
      } else if (v instanceof Integer n) {
        b.add(k, n);
      } else if (v instanceof Long n) {
        b.add(k, n);
      } else {
        b.add(k, String.valueOf(v));
      }
    });
    return b.build();
  }

  /** Writes the hub's deliveries to one SSE connection. */
  private static final class SseSink implements EventSink {
    final SseEventSink sink;
    final Sse sse;
    final AtomicReference<Runnable> unsubscribe = new AtomicReference<>(() -> {});
    volatile boolean ended;

    SseSink(SseEventSink sink, Sse sse) {
      this.sink = sink;
      this.sse = sse;
    }

    @Override
    public boolean accept(InstanceEvent e) {
      return send(sse.newEventBuilder().id(Long.toString(e.eventId())).name(e.type())
          .mediaType(MediaType.APPLICATION_JSON_TYPE).data(json(e).toString()).build());
    }

    @Override
    public boolean heartbeat() {
      return send(sse.newEventBuilder().comment("keep-alive").build());
    }

    @Override
    public void end(RuntimeException error) {
      ended = true;
      if (error != null && !sink.isClosed()) {
        String message = error instanceof WorkflowException w ? w.getMessage()
            : "the event stream failed";
        send(sse.newEventBuilder().name("error").data(Jsonp.P.createObjectBuilder()
            .add("message", message).build().toString()).build());
      }
      close();
    }

    private boolean send(OutboundSseEvent event) {
      if (sink.isClosed()) {
        close();
        return false;
      }
      try {
        sink.send(event).exceptionally(t -> {
          close();
          return null;
        });
        return true;
      } catch (RuntimeException e) {
        close();
        return false;
      }
    }

    private void close() {
      try {
        sink.close();
      } catch (RuntimeException e) {
        // already closed by the client
      }
      unsubscribe.get().run();
    }
  }
}
