package dev.steadfast.bench;

import dev.steadfast.workflow.engine.Transactor;
import jakarta.persistence.EntityManager;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Counts the engine's transactions. With {@link #profile} on it also attributes each one to its
 * caller in the engine (class.method:line) and times it: a cheap profile of where the database
 * time of a step goes.
 */
final class CountingTransactor implements Transactor {
  final LongAdder transactions = new LongAdder();
  volatile boolean profile;
  private final Transactor delegate;
  private final Map<String, Stat> stats = new ConcurrentHashMap<>();
  private static final StackWalker WALKER = StackWalker.getInstance();

  CountingTransactor(Transactor delegate) {
    this.delegate = delegate;
  }

  static final class Stat {
    final LongAdder count = new LongAdder();
    final LongAdder nanos = new LongAdder();
  }

  @Override
  public <T> T inTransaction(Function<EntityManager, T> work) {
    transactions.increment();
    if (!profile) {
      return delegate.inTransaction(work);
    }
    String caller = WALKER.walk(frames -> frames
        .filter(f -> !f.getClassName().equals(CountingTransactor.class.getName()))
        .filter(f -> f.getClassName().startsWith("dev.steadfast.workflow"))
        .filter(f -> !f.getMethodName().startsWith("lambda$"))
        .findFirst()
        .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "."
            + f.getMethodName() + ":" + f.getLineNumber())
        .orElse("?"));
    long t0 = System.nanoTime();
    try {
      return delegate.inTransaction(work);
    } finally {
      Stat s = stats.computeIfAbsent(caller, k -> new Stat());
      s.count.increment();
      s.nanos.add(System.nanoTime() - t0);
    }
  }

  @Override
  public javax.sql.DataSource dataSource() {
    return delegate.dataSource();
  }

  void reset() {
    stats.clear();
  }

  /** caller -> {count, total nanos}, sorted by caller. */
  Map<String, long[]> stats() {
    Map<String, long[]> out = new TreeMap<>();
    stats.forEach((k, v) -> out.put(k, new long[] {v.count.sum(), v.nanos.sum()}));
    return out;
  }
}
