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
  /** One executed statement (or one row of a batch): its SQL and its parameters in order. */
  record Executed(String sql, List<Object> params) {
    @Override
    public String toString() {
      return sql + " " + params;
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
        if (recording) {
          for (List<Object> row : batch) {
            executed.add(new Executed(sql, row));
          }
        }
        batch.clear();
      } else if ((name.equals("execute") || name.equals("executeUpdate")
          || name.equals("executeQuery") || name.equals("executeLargeUpdate"))
          && (args == null || args.length == 0) && recording) {
        executed.add(new Executed(sql, new ArrayList<>(params.values())));
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
