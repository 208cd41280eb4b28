package dev.steadfast.server;

import dev.steadfast.workflow.Durations;
import dev.steadfast.workflow.Retention;
import dev.steadfast.workflow.WorkflowException;
import dev.steadfast.workflow.engine.EngineConfig;
import dev.steadfast.workflow.engine.StepLimits;
import dev.steadfast.workflow.engine.WorkflowPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.config.Config;

/**
 * The configuration keys of Steadfast, read through MicroProfile Config (so an environment
 * variable such as {@code STEADFAST_WORKERS} overrides {@code steadfast.workers}). Every key is
 * documented in the README.
 */
public final class Settings {
  private final Config config;

  public Settings(Config config) {
    this.config = config;
  }

  private String get(String key, String fallback) {
    return config.getOptionalValue(key, String.class).filter(s -> !s.isBlank()).orElse(fallback);
  }

  /**
   * {@code steadfast.data.dir}: where the H2 database, the server id and other state live. Made
   * private to its user (0700) when created; an existing one others can read is kept, with a
   * warning.
   */
  public Path dataDir() {
    Path dir = Path.of(get("steadfast.data.dir", "./data")).toAbsolutePath().normalize();
    PrivateFiles.directory(dir);
    return dir;
  }

  /**
   * {@code steadfast.server.id}: this server's identity in claims. By default a random id made
   * once and kept in the data directory, so a restarted server recognises its own claims.
   */
  public String serverId() {
    String configured = get("steadfast.server.id", null);
    if (configured != null) {
      return configured;
    }
    Path file = dataDir().resolve("server-id");
    try {
      if (Files.exists(file)) {
        return Files.readString(file, StandardCharsets.UTF_8).trim();
      }
      String id = "server-" + UUID.randomUUID();
      Files.writeString(file, id + "\n", StandardCharsets.UTF_8);
      return id;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write " + file, e);
    }
  }

  private Duration duration(String key, String fallback) {
    return Durations.parse(get(key, fallback));
  }

  private int integer(String key, int fallback) {
    String v = get(key, null);
    try {
      return v == null ? fallback : Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be a whole number, got '" + v + "'");
    }
  }

  /** The engine settings from {@code steadfast.workers}, {@code steadfast.workflow.*}. */
  public EngineConfig engineConfig() {
    return EngineConfig.defaults(serverId())
        .withWorkers(integer("steadfast.workers", 64))
        .withLease(duration("steadfast.lease", "30 seconds"))
        .withPollInterval(duration("steadfast.poll-interval", "2 seconds"))
        .withStepLimit(integer("steadfast.workflow.step-limit", StepLimits.DEFAULT))
        .withRetention(duration("steadfast.retention", "30 days"))
        .withJournalWriters(integer("steadfast.journal.writers", 0))
        .withMaxLostAttempts(integer("steadfast.workflow.max-lost-attempts", 3));
  }

  /**
   * A workflow's policy with the configuration keys that override its annotation: {@code
   * steadfast.workflow.<name>.concurrency.limit} (0: none), {@code .schedules} (cron expressions
   * separated by {@code ;}, or {@code none}), {@code .retention.success} and {@code
   * .retention.error} (durations).
   *
   * @throws IllegalArgumentException naming the key whose value is invalid
   */
  public WorkflowPolicy workflowPolicy(String workflow, WorkflowPolicy annotated) {
    String prefix = "steadfast.workflow." + workflow + ".";
    WorkflowPolicy p = annotated;
    try {
      String limit = get(prefix + "concurrency.limit", null);
      if (limit != null) {
        p = p.withConcurrencyLimit(integer(prefix + "concurrency.limit", 0));
      }
      String schedules = get(prefix + "schedules", null);
      if (schedules != null) {
        List<String> crons = schedules.trim().equalsIgnoreCase("none") ? List.of()
            : Arrays.stream(schedules.split(";")).map(String::trim).filter(c -> !c.isEmpty())
                .toList();
        p = p.withSchedules(crons);
      }
      Retention r = p.retention();
      String success = get(prefix + "retention.success", null);
      if (success != null) {
        r = new Retention(duration(prefix + "retention.success", success), r.error());
      }
      String error = get(prefix + "retention.error", null);
      if (error != null) {
        r = new Retention(r.success(), duration(prefix + "retention.error", error));
      }
      return p.withRetention(r);
    } catch (WorkflowException | IllegalArgumentException e) {
      throw new IllegalArgumentException("workflow " + workflow + " (" + prefix + "*): "
          + e.getMessage(), e);
    }
  }

  /**
   * {@code steadfast.examples.enabled}: deploy the demo workflows and agent. By default only with
   * the built-in embedded database: a server given its own database (steadfast.db.url set by the
   * operator) is a real deployment, where a demo anyone can call has no place.
   */
  public boolean examplesEnabled() {
    String explicit = get("steadfast.examples.enabled", null);
    if (explicit != null) {
      return Boolean.parseBoolean(explicit.trim());
    }
    var url = config.getConfigValue("steadfast.db.url");
    // the built-in default comes from our microprofile-config.properties (ordinal 100); an
    // environment variable (300) or system property (400) is the operator's choice
    return url.getValue() == null || url.getSourceOrdinal() <= 100;
  }
}
