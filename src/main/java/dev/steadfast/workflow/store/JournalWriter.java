package dev.steadfast.workflow.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Group commit for the journal: the small writes of many instance turns (a step's rows, a sleep,
 * the end of a turn, a new instance) share one transaction and one commit, in plain JDBC.
 *
 * <p>A caller hands over a {@link Write} and blocks until it is committed, so a step's result is
 * durable before the next step runs, as before. There is no writer thread: the first caller that
 * finds a writer permit free becomes the leader, takes every write queued so far, runs them in one
 * transaction, commits, and wakes their callers; writes that arrive meanwhile wait for the next
 * leader (one of them). A lone write is therefore run by its own caller with no hand-off, and in
 * autocommit when it is a single statement (one round trip); under load, batches grow by
 * themselves and the statements of one kind are sent as one JDBC batch.
 *
 * <p>If a batch fails, it is rolled back and each write is run again alone, so that one bad write
 * (a duplicate key, a lost claim) fails only its own caller. The statements of one write must
 * therefore not depend on one another's effects, nor on other writes of the batch: they are
 * grouped by SQL text, and the groups run in the order they first appear.
 */
public final class JournalWriter {
  /** One statement with its parameters; a null parameter is given as {@link #nullOf}. */
  public record Stmt(String sql, Object... params) {}

  /** A typed SQL NULL parameter. */
  public record Null(int sqlType) {}

  public static final Null NULL_BIGINT = new Null(Types.BIGINT);
  public static final Null NULL_VARCHAR = new Null(Types.VARCHAR);
  public static final Null NULL_BOOLEAN = new Null(Types.BOOLEAN);

  /** The parameter for a possibly null Long. */
  public static Object nullOf(Long v) {
    return v == null ? NULL_BIGINT : v;
  }

  /** The parameter for a possibly null String. */
  public static Object nullOf(String v) {
    return v == null ? NULL_VARCHAR : v;
  }

  /** The parameter for a possibly null Boolean. */
  public static Object nullOf(Boolean v) {
    return v == null ? NULL_BOOLEAN : v;
  }

  /** The database, as far as the journal's SQL differs between them. */
  public enum Dialect {
    POSTGRESQL,
    H2,
    OTHER
  }

  private static final int MAX_BATCH = 512;

  private final DataSource dataSource;
  private final int maxWriters;
  final Semaphore permits; // package-private for tests
  final ConcurrentLinkedQueue<Write<?>> queue = new ConcurrentLinkedQueue<>();
  private volatile Dialect dialect;
  private final AtomicLong batches = new AtomicLong();
  /** Told of every committed batch (metrics); never null. */
  private volatile BatchObserver observer = (writes, nanos) -> { };

  /** Hears of each batch once committed: how many writes, and how long its statements took. */
  @FunctionalInterface
  public interface BatchObserver {
    void committed(int writes, long nanos);
  }

  public void setObserver(BatchObserver observer) {
    this.observer = observer == null ? (writes, nanos) -> { } : observer;
  }
  private final AtomicLong writes = new AtomicLong();
  /** Batches being executed now, by leader thread, with System.nanoTime() at their start. */
  private final Map<Thread, Long> executing = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * @param dataSource where connections come from; one is borrowed per batch
   * @param maxWriters batches in flight at once (connections used at once); 0 chooses by
   *     database: 1 on H2, which runs in this JVM and stores one commit at a time (so bigger
   *     batches win), 2 elsewhere (one batch is built while the other waits for its commit)
   */
  public JournalWriter(DataSource dataSource, int maxWriters) {
    if (maxWriters < 0) {
      throw new IllegalArgumentException("maxWriters must be >= 0, got " + maxWriters);
    }
    this.dataSource = dataSource;
    this.maxWriters = maxWriters > 0 ? maxWriters : dialect() == Dialect.H2 ? 1 : 2;
    this.permits = new Semaphore(this.maxWriters);
  }

  /** Batches that may be in flight at once. */
  public int maxWriters() {
    return maxWriters;
  }

  /** The database product, looked up once. */
  public Dialect dialect() {
    Dialect d = dialect;
    if (d == null) {
      try (Connection c = dataSource.getConnection()) {
        String name = c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT);
        d = name.contains("postgres") ? Dialect.POSTGRESQL
            : name.contains("h2") ? Dialect.H2 : Dialect.OTHER;
      } catch (SQLException e) {
        throw new JournalException("cannot reach the database: " + e.getMessage(), e);
      }
      dialect = d;
    }
    return d;
  }

  /**
   * How long the oldest write not yet committed has waited (queued or in a batch being
   * executed), in milliseconds; 0 when there is none. A liveness check reads it.
   */
  public long oldestWaitMillis() {
    long now = System.nanoTime();
    long oldest = now;
    Write<?> head = queue.peek();
    if (head != null && head.queuedAt != 0) {
      oldest = Math.min(oldest, head.queuedAt);
    }
    for (long t : executing.values()) {
      oldest = Math.min(oldest, t);
    }
    return (now - oldest) / 1_000_000L;
  }

  /** Batches committed and writes in them so far. */
  public long[] counters() {
    return new long[] {batches.get(), writes.get()};
  }

  /** A write: statements that commit together, and what the caller gets from their counts. */
  public static final class Write<R> {
    final String key;
    final Stmt[] stmts;
    final Function<int[], R> result;
    /** Whether the counts allow the commit (null: always); else the write is rolled back. */
    final java.util.function.Predicate<int[]> commitIf;
    volatile Thread waiter;
    volatile long queuedAt;
    private volatile boolean done;
    private R value;
    private RuntimeException error;

    /**
     * @param key orders writes inside a batch (an instance uid): rows are locked in one order
     * @param result maps the update counts, one per statement, to the caller's result
     */
    public Write(String key, Function<int[], R> result, Stmt... stmts) {
      this(key, null, result, stmts);
    }

    /**
     * A write committed only when {@code commitIf} accepts its update counts; otherwise it is
     * rolled back (nothing of it stays) and the caller gets the counts all the same.
     */
    public Write(String key, java.util.function.Predicate<int[]> commitIf,
        Function<int[], R> result, Stmt... stmts) {
      this.key = key == null ? "" : key;
      this.stmts = stmts;
      this.result = result;
      this.commitIf = commitIf;
    }

    boolean mayCommit(int[] counts) {
      return commitIf == null || commitIf.test(counts);
    }

    void complete(int[] counts) {
      try {
        value = result.apply(counts);
      } catch (RuntimeException e) {
        error = e;
      }
      finish();
    }

    void fail(Throwable t) {
      error = t instanceof RuntimeException r ? r
          : new JournalException("journal write failed: " + t.getMessage(), t);
      finish();
    }

    private void finish() {
      done = true;
      Thread w = waiter;
      if (w != null) {
        LockSupport.unpark(w);
      }
    }
  }

  /** Writes statements that need no result; returns their update counts. */
  public int[] write(String key, Stmt... stmts) {
    return run(new Write<>(key, counts -> counts, stmts));
  }

  /**
   * Writes statements all or nothing by their counts: committed only when {@code commitIf}
   * accepts the update counts, else rolled back. Returns the counts either way. (A journal
   * write's statements are each fenced by the claim; on a database that does not lock the claim
   * row for the statement, the claim can change between two of them, and without this the ones
   * before would commit alone.)
   */
  public int[] write(String key, java.util.function.Predicate<int[]> commitIf, Stmt... stmts) {
    return run(new Write<>(key, commitIf, counts -> counts, stmts));
  }

  /** A batch member refused its counts: the batch is rolled back and each write runs alone. */
  private static final class Refused extends RuntimeException {
    Refused() {
      super(null, null, false, false);
    }
  }

  /**
   * Runs a write in the next batch and returns its result once committed.
   *
   * @throws JournalException if it could not be committed (the cause is the SQLException)
   */
  public <R> R run(Write<R> w) {
    w.waiter = Thread.currentThread();
    w.queuedAt = System.nanoTime();
    queue.add(w);
    boolean interrupted = false;
    while (!w.done) {
      if (permits.tryAcquire()) {
        boolean led = false;
        try {
          List<Write<?>> batch = drain();
          if (!batch.isEmpty()) {
            led = true;
            executing.put(Thread.currentThread(), System.nanoTime());
            execute(batch);
          }
        } finally {
          if (led) {
            executing.remove(Thread.currentThread());
          }
          permits.release();
        }
        if (led) {
          // hand over: the oldest waiting write's caller leads the next batch
          Write<?> next = queue.peek();
          if (next != null) {
            LockSupport.unpark(next.waiter);
          }
          continue;
        }
        // nothing was queued: this write is in a batch another caller is committing, which
        // wakes this one when it is done. (Trying again at once spun on the free permit: in a
        // burst of wake-ups on PostgreSQL, two thirds of the engine's CPU.)
      }
      if (!w.done) {
        LockSupport.parkNanos(this, 2_000_000L);
        if (Thread.interrupted()) {
          // the write is queued and will be committed: wait for it, keep the interrupt
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (w.error != null) {
      throw w.error;
    }
    return w.value;
  }

  private List<Write<?>> drain() {
    List<Write<?>> batch = new ArrayList<>();
    Write<?> w;
    while (batch.size() < MAX_BATCH && (w = queue.poll()) != null) {
      batch.add(w);
    }
    return batch;
  }

  private void execute(List<Write<?>> batch) {
    if (batch.size() == 1) {
      runAlone(batch.get(0));
      return;
    }
    batch.sort(Comparator.comparing(w -> w.key));
    try (Connection c = dataSource.getConnection()) {
      boolean committed = false;
      try {
        c.setAutoCommit(false);
        long t0 = System.nanoTime();
        int[][] counts = statements(c, batch);
        for (int i = 0; i < batch.size(); i++) {
          if (!batch.get(i).mayCommit(counts[i])) {
            throw new Refused();
          }
        }
        c.commit();
        committed = true;
        observed(batch.size(), System.nanoTime() - t0);
        batches.incrementAndGet();
        writes.addAndGet(batch.size());
        for (int i = 0; i < batch.size(); i++) {
          batch.get(i).complete(counts[i]);
        }
        return;
      } catch (SQLException | RuntimeException e) {
        if (!committed) {
          rollbackQuietly(c);
        }
      } finally {
        restoreAutoCommit(c);
      }
    } catch (SQLException e) {
      // no connection: each write tries on its own below, and fails with its own error
    }
    for (Write<?> w : batch) {
      if (!w.done) {
        runAlone(w);
      }
    }
  }

  private void observed(int writes, long nanos) {
    try {
      observer.committed(writes, nanos);
    } catch (RuntimeException e) {
      // metrics must never fail a committed write
    }
  }

  private void runAlone(Write<?> w) {
    try (Connection c = dataSource.getConnection()) {
      boolean single = w.stmts.length == 1;
      try {
        c.setAutoCommit(single);
        long t0 = System.nanoTime();
        int[][] counts = statements(c, List.of(w));
        if (!single) {
          if (w.mayCommit(counts[0])) {
            c.commit();
          } else {
            c.rollback(); // the caller sees the counts that refused it; nothing of it stays
          }
        }
        observed(1, System.nanoTime() - t0);
        batches.incrementAndGet();
        writes.incrementAndGet();
        w.complete(counts[0]);
      } catch (SQLException | RuntimeException e) {
        if (!single) {
          rollbackQuietly(c);
        }
        w.fail(e);
      } finally {
        restoreAutoCommit(c);
      }
    } catch (SQLException | RuntimeException e) {
      if (!w.done) {
        w.fail(e);
      }
    }
  }

  /**
   * Runs statements on a connection the caller manages (its transaction), grouped by SQL as in a
   * batch; returns their update counts.
   */
  static int[] execute(Connection c, List<Stmt> stmts) throws SQLException {
    if (stmts.isEmpty()) {
      return new int[0];
    }
    return statements(c, List.of(new Write<>("", x -> x, stmts.toArray(Stmt[]::new))))[0];
  }

  /**
   * Runs the statements of the writes, each write's in its own order: the first statement of
   * every write, then the second, and so on, each round grouped by SQL into JDBC batches (a
   * turn's writes share their shapes, so a round is a few batches). Grouping the whole batch by
   * SQL ran a write's later statement before its earlier one when another write had that SQL
   * first. Returns the counts per write.
   */
  private static int[][] statements(Connection c, List<Write<?>> batch) throws SQLException {
    int[][] counts = new int[batch.size()][];
    int rounds = 0;
    for (int i = 0; i < batch.size(); i++) {
      counts[i] = new int[batch.get(i).stmts.length];
      rounds = Math.max(rounds, counts[i].length);
    }
    for (int j = 0; j < rounds; j++) {
      Map<String, List<int[]>> groups = new LinkedHashMap<>();
      for (int i = 0; i < batch.size(); i++) {
        Stmt[] stmts = batch.get(i).stmts;
        if (j < stmts.length) {
          groups.computeIfAbsent(stmts[j].sql(), k -> new ArrayList<>()).add(new int[] {i, j});
        }
      }
      run(c, batch, groups, counts);
    }
    return counts;
  }

  /** Runs one round's groups: a statement alone, or a JDBC batch of the same SQL. */
  private static void run(Connection c, List<Write<?>> batch, Map<String, List<int[]>> groups,
      int[][] counts) throws SQLException {
    for (Map.Entry<String, List<int[]>> g : groups.entrySet()) {
      List<int[]> members = g.getValue();
      try (PreparedStatement p = c.prepareStatement(g.getKey())) {
        if (members.size() == 1) {
          int[] m = members.get(0);
          bind(p, batch.get(m[0]).stmts[m[1]].params());
          counts[m[0]][m[1]] = p.executeUpdate();
          continue;
        }
        for (int[] m : members) {
          bind(p, batch.get(m[0]).stmts[m[1]].params());
          p.addBatch();
        }
        int[] r = p.executeBatch();
        for (int k = 0; k < members.size(); k++) {
          int[] m = members.get(k);
          counts[m[0]][m[1]] = k < r.length ? r[k] : PreparedStatement.SUCCESS_NO_INFO;
        }
      }
    }
  }

  private static void bind(PreparedStatement p, Object[] params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      Object v = params[i];
      if (v instanceof Null n) {
        p.setNull(i + 1, n.sqlType());
      } else if (v instanceof String s) {
        p.setString(i + 1, s);
      } else if (v instanceof Long l) {
        p.setLong(i + 1, l);
      } else if (v instanceof Integer n) {
        p.setInt(i + 1, n);
      } else if (v instanceof Boolean b) {
        p.setBoolean(i + 1, b);
      } else if (v == null) {
        throw new IllegalArgumentException("parameter " + (i + 1) + " is null without a type");
      } else {
        p.setObject(i + 1, v);
      }
    }
  }

  private static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the connection is broken; the pool discards it
    }
  }

  private static void restoreAutoCommit(Connection c) {
    try {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
    } catch (SQLException ignored) {
      // the pool validates it
    }
  }

  /** A journal write that could not be committed. */
  public static final class JournalException extends RuntimeException {
    public JournalException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  @Override
  public String toString() {
    return "JournalWriter" + Arrays.toString(counters());
  }
}
