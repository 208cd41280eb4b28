package dev.steadfast.workflow.engine;

import dev.steadfast.workflow.StepConfig;
import java.time.Duration;

/**
 * Settings of one engine.
 *
 * @param serverId identifies this server in claims; stable across restarts of one data directory
 * @param workers instance turns running at once on this server
 * @param lease how long a claim holds without renewal; another server takes an instance over
 *     when its owner stops renewing for this long
 * @param pollInterval how often the database is checked for work no local event announced (other
 *     servers' due times, expired leases)
 * @param stepLimit do-steps allowed per instance run (1 to 25,000), unless the workflow sets its own
 * @param retention how long finished instances are kept
 * @param stepDefaults the defaults a step config is merged over
 * @param recordAttemptStartAfter an attempt still running after this long gets its start recorded
 *     (so a crash leaves a trace of it); shorter attempts are written once, when they end
 * @param journalWriters journal batches committed at once (each on its own connection); the
 *     journal writes of concurrent turns are group-committed in these batches. 0 chooses: 1 on
 *     H2 (it runs in this JVM and stores one commit at a time: bigger batches are faster), 2
 *     elsewhere (one batch is built while the other waits for its commit)
 * @param maxLostAttempts attempts of one step that may be lost (their server stopped before they
 *     ended) before the step fails for good with {@code AttemptsLost}; they do not count toward
 *     the step's retry limit
 */
public record EngineConfig(
    String serverId,
    int workers,
    Duration lease,
    Duration pollInterval,
    int stepLimit,
    Duration retention,
    StepConfig stepDefaults,
    Duration recordAttemptStartAfter,
    int journalWriters,
    int maxLostAttempts) {

  public EngineConfig {
    if (maxLostAttempts < 1) {
      throw new IllegalArgumentException("max lost attempts must be >= 1, got " + maxLostAttempts);
    }
    if (journalWriters < 0) {
      throw new IllegalArgumentException("journal writers must be >= 0, got " + journalWriters);
    }
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be >= 1, got " + workers);
    }
    if (stepLimit < 1 || stepLimit > StepLimits.MAX) {
      throw new IllegalArgumentException("step limit must be 1 to " + StepLimits.MAX + ", got "
          + stepLimit);
    }
  }

  /**
   * How long before its lease runs out a server stops running steps of an instance whose lease it
   * could not renew: a fifth of the lease (6 s of the default 30 s), enough for a renewal round trip
   * and a step boundary, so it stops before another server may take the instance over.
   */
  public Duration leaseMargin() {
    return lease.dividedBy(5);
  }

  /** Defaults: 64 workers, 30 s lease, 2 s poll, 10,000 steps, 30 days retention. */
  public static EngineConfig defaults(String serverId) {
    return new EngineConfig(
        serverId,
        64,
        Duration.ofSeconds(30),
        Duration.ofSeconds(2),
        StepLimits.DEFAULT,
        Duration.ofDays(30),
        StepConfig.DEFAULTS,
        Duration.ofMillis(50),
        0,
        3);
  }

  public EngineConfig withWorkers(int n) {
    return new EngineConfig(serverId, n, lease, pollInterval, stepLimit, retention, stepDefaults,
        recordAttemptStartAfter, journalWriters, maxLostAttempts);
  }

  public EngineConfig withLease(Duration d) {
    return new EngineConfig(serverId, workers, d, pollInterval, stepLimit, retention, stepDefaults,
        recordAttemptStartAfter, journalWriters, maxLostAttempts);
  }

  public EngineConfig withPollInterval(Duration d) {
    return new EngineConfig(serverId, workers, lease, d, stepLimit, retention, stepDefaults,
        recordAttemptStartAfter, journalWriters, maxLostAttempts);
  }

  public EngineConfig withStepLimit(int n) {
    return new EngineConfig(serverId, workers, lease, pollInterval, n, retention, stepDefaults,
        recordAttemptStartAfter, journalWriters, maxLostAttempts);
  }

  public EngineConfig withRetention(Duration d) {
    return new EngineConfig(serverId, workers, lease, pollInterval, stepLimit, d, stepDefaults,
        recordAttemptStartAfter, journalWriters, maxLostAttempts);
  }

  public EngineConfig withStepDefaults(StepConfig c) {
    return new EngineConfig(serverId, workers, lease, pollInterval, stepLimit, retention, c,
        recordAttemptStartAfter, journalWriters, maxLostAttempts);
  }

  public EngineConfig withRecordAttemptStartAfter(Duration d) {
    return new EngineConfig(serverId, workers, lease, pollInterval, stepLimit, retention,
        stepDefaults, d, journalWriters, maxLostAttempts);
  }

  public EngineConfig withJournalWriters(int n) {
    return new EngineConfig(serverId, workers, lease, pollInterval, stepLimit, retention,
        stepDefaults, recordAttemptStartAfter, n, maxLostAttempts);
  }

  public EngineConfig withMaxLostAttempts(int n) {
    return new EngineConfig(serverId, workers, lease, pollInterval, stepLimit, retention,
        stepDefaults, recordAttemptStartAfter, journalWriters, n);
  }
}
