package dev.steadfast.workflow.engine;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.Statement;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;

/** Real databases for engine tests: H2 in memory, and a genuine PostgreSQL shared per JVM. */
public final class Databases {
  private static EmbeddedPostgres postgres;

  private Databases() {}

  /** A fresh, empty H2 database. */
  public static DataSource h2() {
    return JdbcConnectionPool.create(
        "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
  }

  /** A fresh, empty database on the shared embedded PostgreSQL server. */
  public static synchronized DataSource postgres() {
    try {
      if (postgres == null) {
        postgres = EmbeddedPostgres.builder().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
          try {
            postgres.close();
          } catch (IOException ignored) {
            // exiting anyway
          }
        }));
      }
      String name = "t" + UUID.randomUUID().toString().replace("-", "");
      try (Connection c = postgres.getPostgresDatabase().getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE " + name);
      }
      DataSource ds = postgres.getDatabase("postgres", name);
      if (ds instanceof org.postgresql.ds.common.BaseDataSource pg) {
        // as the server's SteadfastDataSource does
        pg.setReWriteBatchedInserts(true);
      }
      return ds;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The JDBC URL of the shared PostgreSQL server's database {@code name}. */
  public static String postgresUrl(String name) {
    postgres();
    return postgres.getJdbcUrl("postgres", name);
  }
}
