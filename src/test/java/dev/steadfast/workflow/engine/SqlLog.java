package dev.steadfast.workflow.engine;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Predicate;
import javax.sql.DataSource;

/**
 * What an engine sends to its database, for tests that count statements: a DataSource over
 * another that records each prepared statement it executes (each row of a JDBC batch counts) with
 * its parameters, while {@link #recording} is on.
 */
final class SqlLog {
  /**
   * One executed statement (or one row of a batch): its SQL, its parameters in order, and the
   * number of rows it changed (-1 for a query, or when the driver did not say).
   */
  record Executed(String sql, List<Object> params, long rows) {
    @Override
    public String toString() {
      return sql + " " + params + " -> " + rows;
    }
  }

  volatile boolean recording;
  private final ConcurrentLinkedQueue<Executed> executed = new ConcurrentLinkedQueue<>();

  /** The statements recorded so far that {@code which} accepts. */
  List<Executed> executed(Predicate<Executed> which) {
    return executed.stream().filter(which).toList();
  }

  DataSource wrap(DataSource ds) {
    return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {DataSource.class}, (proxy, m, args) -> {
          Object out = invoke(ds, m, args);
          return out instanceof Connection c ? connection(c) : out;
        });
  }

  private Connection connection(Connection c) {
    return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {Connection.class}, (proxy, m, args) -> {
          Object out = invoke(c, m, args);
          if (out instanceof PreparedStatement p && m.getName().equals("prepareStatement")) {
            return statement(p, (String) args[0]);
          }
          return out;
        });
  }

  private PreparedStatement statement(PreparedStatement p, String sql) {
    Map<Integer, Object> params = new TreeMap<>();
    List<List<Object>> batch = new ArrayList<>();
    InvocationHandler h = (proxy, m, args) -> {
      String name = m.getName();
      if (name.startsWith("set") && args != null && args.length >= 2
          && args[0] instanceof Integer i) {
        params.put(i, name.equals("setNull") ? null : args[1]);
      } else if (name.equals("clearParameters")) {
        params.clear();
      } else if (name.equals("addBatch") && (args == null || args.length == 0)) {
        batch.add(new ArrayList<>(params.values()));
      } else if (name.equals("clearBatch")) {
        batch.clear();
      } else if (name.equals("executeBatch") || name.equals("executeLargeBatch")) {
        Object out = invoke(p, m, args);
        if (recording) {
          for (int i = 0; i < batch.size(); i++) {
            long rows = out instanceof int[] c && i < c.length ? c[i]
                : out instanceof long[] c && i < c.length ? c[i] : -1;
            executed.add(new Executed(sql, batch.get(i), rows));
          }
        }
        batch.clear();
        return out;
      } else if ((name.equals("execute") || name.equals("executeUpdate")
          || name.equals("executeQuery") || name.equals("executeLargeUpdate"))
          && (args == null || args.length == 0) && recording) {
        List<Object> values = new ArrayList<>(params.values());
        Object out = invoke(p, m, args);
        long rows = out instanceof Number n ? n.longValue()
            : name.equals("execute") && !((Boolean) out) ? p.getUpdateCount() : -1;
        executed.add(new Executed(sql, values, rows));
        return out;
      }
      return invoke(p, m, args);
    };
    return (PreparedStatement) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {PreparedStatement.class}, h);
  }

  private static Object invoke(Object target, Method m, Object[] args) throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
