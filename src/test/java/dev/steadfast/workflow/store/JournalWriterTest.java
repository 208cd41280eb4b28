package dev.steadfast.workflow.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.steadfast.workflow.engine.Databases;
import dev.steadfast.workflow.store.JournalWriter.Stmt;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The journal's group commit on H2 and on a real PostgreSQL. */
class JournalWriterTest {
  static Stream<Arguments> databases() {
    return Stream.of(Arguments.of("h2"), Arguments.of("postgres"));
  }

  private static DataSource database(String which) throws SQLException {
    DataSource ds = which.equals("h2") ? Databases.h2() : Databases.postgres();
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE jw (k VARCHAR(40) PRIMARY KEY, v INT NOT NULL)");
    }
    return ds;
  }

  private static Stmt insert(String k, int v) {
    return new Stmt("INSERT INTO jw (k, v) VALUES (?, ?)", k, v);
  }

  /** Runs {@code body(thread)} on {@code threads} threads at once; rethrows their failures. */
  private static void inThreads(int threads, java.util.function.IntConsumer body)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      futures.add(pool.submit(() -> body.accept(thread)));
    }
    try {
      for (Future<?> f : futures) {
        f.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdown();
    }
  }

  private static int count(DataSource ds, String where) throws SQLException {
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM jw WHERE " + where)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /**
   * A journal write whose fence failed for one of its statements (on H2 the claim row is not
   * locked by the check, so the claim can change between two statements) leaves nothing: before,
   * the statements before it committed alone (a step row without its attempt row, seen in CI).
   * Alone and inside batches shared with writes that do commit.
   */
  @ParameterizedTest
  @MethodSource("databases")
  void aWriteRefusedByItsCountsLeavesNothingAndTheOthersInItsBatchCommit(String db)
      throws Exception {
    DataSource ds = database(db);
    JournalWriter w = new JournalWriter(ds, 2);
    java.util.function.Predicate<int[]> allOne =
        counts -> java.util.Arrays.stream(counts).allMatch(n -> n == 1);
    int[] refused = w.write("a", allOne, insert("refused-alone", 1),
        new Stmt("UPDATE jw SET v = 2 WHERE k = ?", "no-such-row"));
    assertEquals(1, refused[0], "the caller still gets the counts");
    assertEquals(0, refused[1]);
    assertEquals(0, count(ds, "k = 'refused-alone'"), "nothing of a refused write stays");

    int threads = 8;
    int each = 100;
    inThreads(threads, thread -> {
      for (int i = 0; i < each; i++) {
        boolean refuse = i % 3 == 0;
        String k = "k-" + thread + "-" + i;
        w.write("t" + thread, allOne, insert(k, 0),
            new Stmt("UPDATE jw SET v = 1 WHERE k = ?", refuse ? "no-such-row" : k));
      }
    });
    int refusedEach = (each + 2) / 3;
    assertEquals(threads * (each - refusedEach), count(ds, "k LIKE 'k-%'"),
        "every accepted write committed, no refused one");
    assertEquals(threads * (each - refusedEach), count(ds, "k LIKE 'k-%' AND v = 1"),
        "with both of their statements");
  }

  @ParameterizedTest
  @MethodSource("databases")
  void concurrentWritesAreAllCommittedInSharedBatches(String db) throws Exception {
    DataSource ds = database(db);
    JournalWriter w = new JournalWriter(ds, 2);
    int threads = 16;
    int each = 150;
    inThreads(threads, thread -> {
      for (int i = 0; i < each; i++) {
        // two statements per write: a new row, and an update of the row committed before
        int[] counts = w.write("t" + thread, insert("k-" + thread + "-" + i, i),
            new Stmt("UPDATE jw SET v = v + 1000 WHERE k = ?", "k-" + thread + "-" + (i - 1)));
        assertEquals(i == 0 ? 0 : 1, counts[1], "update count of write " + i);
      }
    });
    assertEquals(threads * each, count(ds, "1 = 1"));
    // every row but the last of each thread was updated once, after it was committed
    assertEquals(threads * (each - 1), count(ds, "v >= 1000"));
    long[] c = w.counters();
    assertEquals(threads * each, c[1], "writes committed");
    assertTrue(c[0] < c[1], "writes shared commits: " + c[0] + " batches for " + c[1] + " writes");
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aFailingWriteFailsOnlyItsOwnCaller(String db) throws Exception {
    DataSource ds = database(db);
    JournalWriter w = new JournalWriter(ds, 1);
    w.write("x", insert("taken", 1));
    // hold the only permit so that the next writes queue up and go as one batch
    w.permits.acquire();
    ExecutorService pool = Executors.newFixedThreadPool(5);
    List<Future<int[]>> good = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String k = "good-" + i;
      good.add(pool.submit(() -> w.write(k, insert(k, 2))));
    }
    Future<int[]> bad = pool.submit(() -> w.write("bad", insert("taken", 3)));
    awaitQueued(w, 5);
    w.permits.release();
    for (Future<int[]> f : good) {
      assertArrayEquals(new int[] {1}, f.get(1, TimeUnit.MINUTES));
    }
    Exception e = assertThrows(Exception.class, () -> bad.get(1, TimeUnit.MINUTES));
    Throwable cause = e.getCause();
    assertInstanceOf(JournalWriter.JournalException.class, cause);
    SQLException sql = (SQLException) Stream.iterate(cause, t -> t != null, Throwable::getCause)
        .filter(SQLException.class::isInstance).findFirst().orElseThrow();
    assertTrue(sql.getSQLState().startsWith("23"), "a key violation: " + sql.getSQLState());
    pool.shutdown();
    assertEquals(4, count(ds, "k LIKE 'good-%'"));
    assertEquals(1, count(ds, "k = 'taken' AND v = 1"), "the existing row is untouched");
  }

  @ParameterizedTest
  @MethodSource("databases")
  void aWriteInASharedBatchRunsItsStatementsInItsOwnOrder(String db) throws Exception {
    DataSource ds = database(db);
    JournalWriter w = new JournalWriter(ds, 1);
    w.write("a", insert("a", 0));
    String update = "UPDATE jw SET v = ? WHERE k = ?";
    w.permits.acquire(); // the two writes below queue up and go as one batch
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      // "a" sorts first in the batch, so the UPDATE's SQL is the batch's first
      Future<int[]> first = pool.submit(() -> w.write("a", new Stmt(update, 1, "a")));
      awaitQueued(w, 1);
      Future<int[]> second = pool.submit(() -> w.write("b", insert("b", 0),
          new Stmt(update, 1, "b")));
      awaitQueued(w, 2);
      w.permits.release();
      assertArrayEquals(new int[] {1}, first.get(1, TimeUnit.MINUTES));
      assertArrayEquals(new int[] {1, 1}, second.get(1, TimeUnit.MINUTES),
          "b's UPDATE ran after its INSERT");
    } finally {
      pool.shutdown();
    }
    assertEquals(1, count(ds, "k = 'b' AND v = 1"));
    assertEquals(1, count(ds, "k = 'a' AND v = 1"));
  }

  /**
   * A caller whose write is in a batch another caller is committing waits for it without using
   * the CPU, even with a writer permit free (it used to take the permit, find nothing queued and
   * try again at once: in a burst of wake-ups on PostgreSQL, two thirds of the engine's CPU).
   */
  @Test
  void aWriteInAnotherCallersBatchIsAwaitedWithoutSpinning() throws Exception {
    DataSource h2 = database("h2");
    CountDownLatch inCommit = new CountDownLatch(1);
    CountDownLatch gate = new CountDownLatch(1);
    // commits wait at the gate: the batch stays in flight as long as the test wants
    DataSource slowCommits = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {DataSource.class}, (proxy, m, args) -> {
          Object r = invoke(h2, m, args);
          if (!m.getName().equals("getConnection")) {
            return r;
          }
          Connection c = (Connection) r;
          return Proxy.newProxyInstance(getClass().getClassLoader(),
              new Class<?>[] {Connection.class}, (p2, m2, a2) -> {
                if (m2.getName().equals("commit")) {
                  inCommit.countDown();
                  gate.await();
                }
                return invoke(c, m2, a2);
              });
        });
    JournalWriter w = new JournalWriter(slowCommits, 2);
    w.permits.acquire(2); // both writes queue; then one caller takes both into its batch
    List<Thread> callers = new ArrayList<>();
    for (String k : List.of("a", "b")) {
      Thread t = new Thread(() -> w.write(k, insert(k, 1)), "caller-" + k);
      callers.add(t);
      t.start();
    }
    awaitQueued(w, 2);
    w.permits.release();
    assertTrue(inCommit.await(10, TimeUnit.SECONDS), "the batch reached its commit");
    assertEquals(0, w.queue.size(), "both writes are in that batch");
    w.permits.release(); // a permit free while the other caller's write is in flight
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    long before = cpu.getThreadCpuTime(callers.get(0).getId())
        + cpu.getThreadCpuTime(callers.get(1).getId());
    Thread.sleep(500);
    long used = cpu.getThreadCpuTime(callers.get(0).getId())
        + cpu.getThreadCpuTime(callers.get(1).getId()) - before;
    gate.countDown();
    for (Thread t : callers) {
      t.join(10_000);
    }
    assertEquals(2, count(h2, "v = 1"), "both writes committed");
    assertTrue(used < TimeUnit.MILLISECONDS.toNanos(100), "the waiting callers used "
        + used / 1_000_000 + " ms of CPU in 500 ms");
  }

  private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args)
      throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (java.lang.reflect.InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static void awaitQueued(JournalWriter w, int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (w.queue.size() < n && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(n, w.queue.size(), n + " writes queued");
  }

  @ParameterizedTest
  @MethodSource("databases")
  void nullsAreTypedAndUpdateCountsComeBack(String db) throws Exception {
    DataSource ds = database(db);
    try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE jw2 (k VARCHAR(40) PRIMARY KEY, n BIGINT, t VARCHAR(10), b BOOLEAN)");
    }
    JournalWriter w = new JournalWriter(ds, 2);
    w.write("a", new Stmt("INSERT INTO jw2 (k, n, t, b) VALUES (?, ?, ?, ?)", "a",
        JournalWriter.nullOf((Long) null), JournalWriter.nullOf((String) null),
        JournalWriter.nullOf((Boolean) null)));
    assertArrayEquals(new int[] {1, 0},
        w.write("a", new Stmt("UPDATE jw2 SET n = ? WHERE k = ?", 5L, "a"),
            new Stmt("UPDATE jw2 SET n = ? WHERE k = ?", 6L, "nobody")));
    IllegalArgumentException untyped = assertThrows(IllegalArgumentException.class,
        () -> w.write("a", new Stmt("UPDATE jw2 SET t = ? WHERE k = ?", null, "a")));
    assertTrue(untyped.getMessage().contains("parameter 1 is null"), untyped.getMessage());
    try (Connection c = ds.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT n, t, b FROM jw2 WHERE k = 'a'")) {
      rs.next();
      assertEquals(5L, rs.getLong(1));
      assertNull(rs.getString(2));
      assertNull(rs.getObject(3));
    }
  }
}
