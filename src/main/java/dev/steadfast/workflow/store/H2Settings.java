package dev.steadfast.workflow.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What the engine needs from an H2 database: no reuse of a query's last result.
 *
 * <p>H2 2.2.224 (the version Payara Micro ships; a server's copy wins over the application's)
 * marks a transaction's tables as changed just before the commit instead of after it. A query
 * that runs in between keeps its result, and the same statement on the same pooled session
 * returns that result again, without the committed rows, until the table changes once more (H2
 * fixed it in 2.3.230). A read of an instance's journal then showed the instance completed without
 * its last step, its attempts, or both, and the event stream, which publishes what a read shows,
 * lost those events for good. With result reuse off every query reads the tables.
 */
public final class H2Settings {
  private static final Logger LOG = Logger.getLogger(H2Settings.class.getName());
  private static final String SETTING = "OPTIMIZE_REUSE_RESULTS";

  private H2Settings() {}

  /**
   * An H2 URL that turns result reuse off when it opens the database, unless it sets it itself.
   * The setting is the database's: the URL that opens it decides.
   */
  public static String url(String url) {
    if (!url.startsWith("jdbc:h2:") || url.toUpperCase(Locale.ROOT).contains(SETTING)) {
      return url;
    }
    return url + ";" + SETTING + "=FALSE";
  }

  /**
   * Turns result reuse off in the open H2 database of {@code c} (a database opened by a URL the
   * engine did not make); does nothing on other databases. Needs an administrator; without one it
   * warns and leaves the database as it is.
   */
  static void apply(Connection c, boolean h2) {
    if (!h2) {
      return;
    }
    try (Statement s = c.createStatement()) {
      s.execute("SET " + SETTING + " FALSE");
    } catch (SQLException e) {
      LOG.log(Level.WARNING, "could not turn off H2's reuse of query results (" + e.getMessage()
          + "); reads may miss rows just committed: open the database with " + SETTING
          + "=FALSE in its URL", e);
    }
  }
}
