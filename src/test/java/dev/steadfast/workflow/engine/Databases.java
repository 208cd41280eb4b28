package dev.steadfast.workflow.engine;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.postgresql.ds.PGConnectionPoolDataSource;

/**
 * Real databases for engine tests: H2 in memory, and a genuine PostgreSQL shared per JVM.
 *
 * <p>The PostgreSQL databases of tests come pooled, as an application server's data source does
 * (a new connection per transaction, a backend process each, cost the engine tests about a second
 * per test), from a server that does not fsync: these tests are about the engine, not the disk.
 * The outage and crash tests start servers of their own with the defaults, and so do the
 * benchmarks ({@link #postgresWithDefaults()}). Every pool made during a test is closed after it
 * by {@link DatabasesCleanup}, which JUnit finds by itself.
 */
public final class Databases {
  private static EmbeddedPostgres forTests;
  private static EmbeddedPostgres withDefaults;
  private static final List<JdbcConnectionPool> POOLS = new ArrayList<>();

  private Databases() {}

  /** A fresh, empty H2 database. */
  public static DataSource h2() {
    return JdbcConnectionPool.create(
        "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
  }

  /** A fresh, empty database on the shared embedded PostgreSQL server of the tests, pooled. */
  public static synchronized DataSource postgres() {
    if (forTests == null) {
      forTests = start(EmbeddedPostgres.builder()
          .setServerConfig("fsync", "off")
          .setServerConfig("full_page_writes", "off"));
    }
    String name = createDatabase(forTests);
    PGConnectionPoolDataSource pg = new PGConnectionPoolDataSource();
    pg.setUrl(forTests.getJdbcUrl("postgres", name));
    // as the server's SteadfastDataSource does
    pg.setReWriteBatchedInserts(true);
    JdbcConnectionPool pool = JdbcConnectionPool.create(pg);
    pool.setMaxConnections(64);
    POOLS.add(pool);
    return pool;
  }

  /**
   * A fresh, empty database on an embedded PostgreSQL server with its default settings (fsync
   * on), not pooled: for benchmarks, which bring their own pool.
   */
  public static synchronized DataSource postgresWithDefaults() {
    if (withDefaults == null) {
      withDefaults = start(EmbeddedPostgres.builder());
    }
    DataSource ds = withDefaults.getDatabase("postgres", createDatabase(withDefaults));
    if (ds instanceof org.postgresql.ds.common.BaseDataSource pg) {
      pg.setReWriteBatchedInserts(true);
    }
    return ds;
  }

  /** The JDBC URL of the tests' PostgreSQL server's database {@code name}. */
  public static synchronized String postgresUrl(String name) {
    postgres();
    return forTests.getJdbcUrl("postgres", name);
  }

  /** How many pools {@link #postgres()} has made so far in this JVM. */
  static synchronized int poolsMade() {
    return POOLS.size();
  }

  /** Closes the pools made since the {@code from}th (their databases stay). */
  static synchronized void closePoolsFrom(int from) {
    while (POOLS.size() > from) {
      POOLS.remove(POOLS.size() - 1).dispose();
    }
  }

  private static EmbeddedPostgres start(EmbeddedPostgres.Builder builder) {
    try {
      EmbeddedPostgres pg = builder.start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          pg.close();
        } catch (IOException ignored) {
          // exiting anyway
        }
      }));
      return pg;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String createDatabase(EmbeddedPostgres pg) {
    String name = "t" + UUID.randomUUID().toString().replace("-", "");
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    return name;
  }
}
