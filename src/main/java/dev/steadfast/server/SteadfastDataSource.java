package dev.steadfast.server;

import dev.steadfast.workflow.store.H2Settings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The datasource class the server pools ({@code java:app/jdbc/steadfast}): H2 or PostgreSQL
 * depending on the configured URL, so that switching databases is a configuration change only
 * ({@code STEADFAST_DB_URL}). The container instantiates it and sets url, user and password.
 *
 * <p>The {@code @DataSourceDefinition}s give them as {@code ${MPCONFIG=key}}, which Payara
 * resolves. Other servers do not: WildFly passes no URL at all to a DataSource class (only to a
 * Driver) and would pass that text through unchanged. So a value the container left unset or
 * unresolved is read here from MicroProfile Config ({@code steadfast.db.url}, {@code .user},
 * {@code .password}): environment variables and the WAR's defaults work the same everywhere.
 */
public class SteadfastDataSource implements DataSource {
  private static final Pattern MPCONFIG = Pattern.compile("\\$\\{MPCONFIG=([^}]+)}");

  /** PostgreSQL: how long opening a connection may take, in seconds (URL: connectTimeout). */
  static final int CONNECT_TIMEOUT_SECONDS = 5;
  /**
   * PostgreSQL: how long a read may wait for the database, in seconds (URL: socketTimeout); a
   * statement still running after this fails instead of holding its thread and connection.
   */
  static final int SOCKET_TIMEOUT_SECONDS = 60;

  private String url;
  private String user;
  private String password;
  private volatile DataSource delegate;

  public void setUrl(String url) {
    this.url = url;
    delegate = null;
  }

  public String getUrl() {
    return url;
  }

  public void setURL(String url) {
    setUrl(url);
  }

  public String getURL() {
    return url;
  }

  public void setUser(String user) {
    this.user = user;
    delegate = null;
  }

  public String getUser() {
    return user;
  }

  public void setPassword(String password) {
    this.password = password;
    delegate = null;
  }

  public String getPassword() {
    return password;
  }

  private DataSource delegate() {
    DataSource d = delegate;
    if (d != null) {
      return d;
    }
    Supplier<Config> config = () -> ConfigProvider.getConfig(SteadfastDataSource.class.getClassLoader());
    String url = resolve(this.url, "steadfast.db.url", config);
    String user = resolve(this.user, "steadfast.db.user", config);
    String password = resolve(this.password, "steadfast.db.password", config);
    if (url == null || url.isBlank()) {
      throw new IllegalStateException("no database configured: set steadfast.db.url (the server"
          + " gave the datasource url '" + this.url + "')");
    }
    if (url.startsWith("jdbc:h2:")) {
      Path file = h2File(url);
      if (file != null && file.getParent() != null) {
        // H2 would make the directories itself, open to every user (umask): the database holds
        // every workflow's data, so its directories are made private first
        PrivateFiles.directory(file.getParent());
      }
      org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
      h2.setURL(H2Settings.url(withH2Defaults(url)));
      h2.setUser(user == null ? "" : user);
      h2.setPassword(password == null ? "" : password);
      d = h2;
    } else if (url.startsWith("jdbc:postgresql:")) {
      org.postgresql.ds.PGSimpleDataSource pg = new org.postgresql.ds.PGSimpleDataSource();
      pg.setURL(url);
      if (!url.contains("reWriteBatchedInserts")) {
        // the journal's group commits send batches of INSERTs: as multi-row INSERTs, they cost
        // the database one statement each instead of one per row
        pg.setReWriteBatchedInserts(true);
      }
      // no thread may wait forever on a database that went away without closing its sockets (a
      // crashed host, a black-holing firewall): bounded connects and reads, TCP keep-alive. The
      // URL may set each of these itself.
      if (!url.contains("connectTimeout")) {
        pg.setConnectTimeout(CONNECT_TIMEOUT_SECONDS);
      }
      if (!url.contains("loginTimeout")) {
        pg.setLoginTimeout(CONNECT_TIMEOUT_SECONDS * 2);
      }
      if (!url.contains("socketTimeout")) {
        pg.setSocketTimeout(SOCKET_TIMEOUT_SECONDS);
      }
      if (!url.contains("tcpKeepAlive")) {
        pg.setTcpKeepAlive(true);
      }
      if (user != null && !user.isEmpty()) {
        pg.setUser(user);
      }
      if (password != null && !password.isEmpty()) {
        pg.setPassword(password);
      }
      d = pg;
    } else {
      throw new IllegalStateException("unsupported database URL '" + url
          + "': steadfast.db.url must start with jdbc:h2: or jdbc:postgresql:");
    }
    delegate = d;
    return d;
  }

  /**
   * The database file of an embedded H2 URL ({@code jdbc:h2:file:/x/db} or {@code jdbc:h2:/x/db}),
   * or null for in-memory and client/server URLs.
   */
  static Path h2File(String url) {
    String rest = url.substring("jdbc:h2:".length());
    int semicolon = rest.indexOf(';');
    if (semicolon >= 0) {
      rest = rest.substring(0, semicolon);
    }
    if (rest.startsWith("file:")) {
      rest = rest.substring("file:".length());
    } else if (rest.startsWith("mem:") || rest.startsWith("tcp:") || rest.startsWith("ssl:")
        || rest.startsWith("zip:") || rest.startsWith("split:") || rest.startsWith("nio")
        || rest.startsWith("async:") || rest.startsWith("memFS:") || rest.startsWith("memLZF:")) {
      return null;
    }
    if (rest.isEmpty() || rest.startsWith("~")) {
      return null; // relative to the user's home: H2 resolves it, and it is theirs anyway
    }
    return Path.of(rest).toAbsolutePath().normalize();
  }

  /**
   * {@code value} as the container set it; the configured value of {@code key} when the
   * container set none (or a blank one); the configured value of the key it names when it is an unresolved
   * {@code ${MPCONFIG=key}}. Empty when the key has no value (a password may be blank).
   */
  static String resolve(String value, String key, Supplier<Config> config) {
    String wanted = key;
    if (value != null && !value.isBlank()) {
      Matcher m = MPCONFIG.matcher(value.trim());
      if (!m.matches()) {
        return value;
      }
      wanted = m.group(1);
    }
    return config.get().getOptionalValue(wanted, String.class).orElse("");
  }

  @Override
  public Connection getConnection() throws SQLException {
    return delegate().getConnection();
  }

  /**
   * With the credentials the server passes: WildFly's pool passes those of the
   * {@code DataSourceDefinition} as written, {@code ${MPCONFIG=...}} unresolved, so they are
   * resolved here as the URL is (it used to log in with the placeholder text itself).
   */
  @Override
  public Connection getConnection(String u, String p) throws SQLException {
    Supplier<Config> config = () -> ConfigProvider.getConfig(SteadfastDataSource.class.getClassLoader());
    return delegate().getConnection(resolve(u, "steadfast.db.user", config),
        resolve(p, "steadfast.db.password", config));
  }

  /**
   * An embedded H2 URL with {@code DB_CLOSE_ON_EXIT=FALSE} unless it says otherwise: H2 would
   * otherwise close the database from a JVM shutdown hook of its own, while the server is still
   * stopping the application, whose last writes (letting go of its server id and its agents) then
   * fail; the server's pools close it when they close their connections.
   */
  static String withH2Defaults(String url) {
    if (h2File(url) == null || url.toUpperCase(java.util.Locale.ROOT).contains("DB_CLOSE_ON_EXIT")) {
      return url;
    }
    return url + ";DB_CLOSE_ON_EXIT=FALSE";
  }

  @Override
  public PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    // the pool logs; nothing to do
  }

  @Override
  public void setLoginTimeout(int seconds) {
    // the pool enforces its own timeouts
  }

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    return delegate().unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || delegate().isWrapperFor(iface);
  }
}
