package dev.steadfast.bench;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A DataSource over a pool that counts what reaches the database: commits, rollbacks, the
 * statements executed (by verb; each row of a JDBC batch counts), and statements executed while
 * the connection was in autocommit (each of those is a commit of its own).
 */
final class CountingDataSource implements DataSource {
  final LongAdder connections = new LongAdder();
  final LongAdder commits = new LongAdder();
  final LongAdder rollbacks = new LongAdder();
  final LongAdder autocommitStatements = new LongAdder();
  final LongAdder selects = new LongAdder();
  final LongAdder inserts = new LongAdder();
  final LongAdder updates = new LongAdder();
  final LongAdder deletes = new LongAdder();
  final LongAdder others = new LongAdder();
  /** Of {@link #autocommitStatements}, the reads (a SELECT in autocommit commits nothing). */
  final LongAdder autocommitSelects = new LongAdder();

  private final DataSource delegate;

  CountingDataSource(DataSource delegate) {
    this.delegate = delegate;
  }

  /** A copy of the counters now. */
  Snapshot snapshot() {
    return new Snapshot(connections.sum(), commits.sum(), rollbacks.sum(),
        autocommitStatements.sum(), selects.sum(), inserts.sum(), updates.sum(), deletes.sum(),
        others.sum(), autocommitSelects.sum());
  }

  record Snapshot(long connections, long commits, long rollbacks, long autocommitStatements,
      long selects, long inserts, long updates, long deletes, long others,
      long autocommitSelects) {
    Snapshot minus(Snapshot o) {
      return new Snapshot(connections - o.connections, commits - o.commits,
          rollbacks - o.rollbacks, autocommitStatements - o.autocommitStatements,
          selects - o.selects, inserts - o.inserts, updates - o.updates, deletes - o.deletes,
          others - o.others, autocommitSelects - o.autocommitSelects);
    }
  }

  @Override
  public Connection getConnection() throws SQLException {
    return wrap(delegate.getConnection());
  }

  @Override
  public Connection getConnection(String user, String password) throws SQLException {
    return wrap(delegate.getConnection(user, password));
  }

  /**
   * Off: connections are handed out bare (timed phases run without the proxies' cost, as users
   * run); on: they are counted. Connections keep the mode they were taken in.
   */
  volatile boolean counting = true;

  private Connection wrap(Connection c) {
    if (!counting) {
      return c;
    }
    connections.increment();
    InvocationHandler h = new InvocationHandler() {
      @Override
      public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
        String name = m.getName();
        if (name.equals("commit")) {
          commits.increment();
        } else if (name.equals("rollback") && (args == null || args.length == 0)) {
          rollbacks.increment();
        } else if (name.equals("unwrap") && args != null && args[0] == Connection.class) {
          return proxy;
        }
        Object result;
        try {
          result = m.invoke(c, args);
        } catch (InvocationTargetException e) {
          throw e.getCause();
        }
        if ((name.equals("prepareStatement") || name.equals("prepareCall"))
            && args != null && args.length > 0 && args[0] instanceof String sql) {
          return countingStatement(c, (PreparedStatement) result, sql);
        }
        return result;
      }
    };
    return (Connection) Proxy.newProxyInstance(
        CountingDataSource.class.getClassLoader(), new Class<?>[] {Connection.class}, h);
  }

  /** Counts executions (a JDBC batch counts each of its rows); autocommit ones as commits too. */
  private PreparedStatement countingStatement(Connection c, PreparedStatement p, String sql) {
    int[] batched = new int[1];
    InvocationHandler h = (proxy, m, args) -> {
      String name = m.getName();
      if (name.equals("addBatch")) {
        batched[0]++;
      } else if (name.startsWith("execute")) {
        int n = name.equals("executeBatch") ? batched[0] : 1;
        batched[0] = 0;
        count(sql, n);
        if (n > 0 && c.getAutoCommit()) {
          autocommitStatements.increment();
          if (sql.stripLeading().regionMatches(true, 0, "select", 0, 6)) {
            autocommitSelects.increment();
          }
        }
      }
      try {
        return m.invoke(p, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    };
    return (PreparedStatement) Proxy.newProxyInstance(CountingDataSource.class.getClassLoader(),
        new Class<?>[] {PreparedStatement.class}, h);
  }

  private static final java.util.regex.Pattern MAIN_VERB = java.util.regex.Pattern.compile(
      "\\)\\s*(select|insert|update|delete)\\b");

  private void count(String sql, int n) {
    String s = sql.stripLeading().toLowerCase(Locale.ROOT);
    if (s.startsWith("with")) {
      // a data-modifying CTE counts as its main statement (and its inner ones as "others")
      java.util.regex.Matcher matcher = MAIN_VERB.matcher(s);
      String verb = "select";
      while (matcher.find()) {
        verb = matcher.group(1);
      }
      s = verb;
    }
    if (s.startsWith("select")) {
      selects.add(n);
    } else if (s.startsWith("insert")) {
      inserts.add(n);
    } else if (s.startsWith("update")) {
      updates.add(n);
    } else if (s.startsWith("delete")) {
      deletes.add(n);
    } else {
      others.add(n);
    }
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return delegate.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    delegate.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    delegate.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return delegate.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return delegate.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    return delegate.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || delegate.isWrapperFor(iface);
  }
}
