package dev.steadfast.workflow.store;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Applies the versioned SQL migrations under {@code db/migration} (listed in order in {@code
 * db/migration/index.txt}) that a database has not seen yet, recording each in {@code
 * sf_schema_history}. Written here rather than taken from Flyway: it needs no classpath scanning
 * (which differs between app servers) and the schema is plain SQL common to H2 and PostgreSQL.
 * Servers that start together on one PostgreSQL serialize on an advisory lock.
 */
public final class Migrator {
  private static final Logger LOG = Logger.getLogger(Migrator.class.getName());
  private static final String BASE = "db/migration/";
  private static final long PG_LOCK_KEY = 0x5374656164666173L; // "Steadfas"

  private Migrator() {}

  /** Brings the schema of {@code dataSource} up to date; returns the versions applied now. */
  public static List<String> migrate(DataSource dataSource) {
    try (Connection c = dataSource.getConnection()) {
      String product = c.getMetaData().getDatabaseProductName().toLowerCase();
      boolean postgres = product.contains("postgres");
      // before anything reads: see H2Settings (the engine's every start passes here)
      H2Settings.apply(c, product.equals("h2"));
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(true);
      try {
        if (postgres) {
          try (Statement s = c.createStatement()) {
            s.execute("SELECT pg_advisory_lock(" + PG_LOCK_KEY + ")");
          }
        }
        try {
          if (!postgres) {
            // H2 and others: servers sharing such a database run in one JVM (an embedded
            // database), so a JVM-wide lock serializes them
            synchronized (Migrator.class) {
              return apply(c);
            }
          }
          return apply(c);
        } finally {
          if (postgres) {
            try (Statement s = c.createStatement()) {
              s.execute("SELECT pg_advisory_unlock(" + PG_LOCK_KEY + ")");
            }
          }
        }
      } finally {
        c.setAutoCommit(autoCommit);
      }
    } catch (SQLException | IOException e) {
      throw new IllegalStateException("schema migration failed: " + e.getMessage(), e);
    }
  }

  private static List<String> apply(Connection c) throws SQLException, IOException {
    if (!tableExists(c, "sf_schema_history")) {
      try (Statement s = c.createStatement()) {
        s.execute(
            "CREATE TABLE sf_schema_history (version VARCHAR(200) NOT NULL PRIMARY KEY,"
                + " applied_at BIGINT NOT NULL)");
      }
    }
    List<String> applied = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT version FROM sf_schema_history")) {
      while (rs.next()) {
        applied.add(rs.getString(1));
      }
    }
    List<String> done = new ArrayList<>();
    for (String file : readLines(BASE + "index.txt")) {
      if (applied.contains(file)) {
        continue;
      }
      String sql = String.join("\n", readLines(BASE + file));
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        for (String statement : splitStatements(sql)) {
          s.execute(statement);
        }
        try (PreparedStatement p =
            c.prepareStatement("INSERT INTO sf_schema_history (version, applied_at) VALUES (?, ?)")) {
          p.setString(1, file);
          p.setLong(2, System.currentTimeMillis());
          p.executeUpdate();
        }
        c.commit();
      } catch (SQLException e) {
        c.rollback();
        throw new SQLException("migration " + file + " failed: " + e.getMessage(), e);
      } finally {
        c.setAutoCommit(true);
      }
      LOG.info("applied schema migration " + file);
      done.add(file);
    }
    return done;
  }

  private static boolean tableExists(Connection c, String table) throws SQLException {
    DatabaseMetaData md = c.getMetaData();
    for (String name : new String[] {table, table.toUpperCase()}) {
      try (ResultSet rs = md.getTables(null, null, name, null)) {
        if (rs.next()) {
          return true;
        }
      }
    }
    return false;
  }

  static List<String> splitStatements(String sql) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : sql.split("\n")) {
      String trimmed = line.trim();
      if (trimmed.startsWith("--") || trimmed.isEmpty()) {
        continue;
      }
      int comment = line.indexOf("--");
      current.append(comment >= 0 ? line.substring(0, comment) : line).append('\n');
      if (trimmed.endsWith(";")) {
        String statement = current.toString().trim();
        out.add(statement.substring(0, statement.length() - 1));
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      out.add(current.toString().trim());
    }
    return out;
  }

  private static List<String> readLines(String resource) throws IOException {
    ClassLoader cl = Migrator.class.getClassLoader();
    try (InputStream in = cl.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IOException("missing resource " + resource);
      }
      List<String> lines = new ArrayList<>();
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (resource.endsWith("index.txt") && line.isBlank()) {
            continue;
          }
          lines.add(resource.endsWith("index.txt") ? line.trim() : line);
        }
      }
      return lines;
    }
  }
}
