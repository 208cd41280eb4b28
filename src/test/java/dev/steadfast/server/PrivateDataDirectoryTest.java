package dev.steadfast.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * The embedded database's directories are private to the server's user from the start: on a fresh
 * machine, the H2 driver used to create data/ and data/db/ with the umask's 0755 before the
 * server's own code made the data directory, so every local user could read every workflow's data.
 */
class PrivateDataDirectoryTest {
  private final Path root = Path.of("target", "private-dirs", UUID.randomUUID().toString())
      .toAbsolutePath();

  @Test
  void theEmbeddedDatabaseCreatesItsDirectoriesPrivate() throws Exception {
    Path data = root.resolve("data");
    SteadfastDataSource ds = new SteadfastDataSource();
    ds.setUrl("jdbc:h2:file:" + data + "/db/steadfast;AUTO_SERVER=FALSE");
    ds.setUser("sa"); // set, as the server sets them: an unset one is looked up in MP Config
    ds.setPassword("pw");
    try (Connection c = ds.getConnection()) {
      c.createStatement().execute("CREATE TABLE t (x INT)");
    }
    assertEquals("rwx------", perms(data));
    assertEquals("rwx------", perms(data.resolve("db")));
  }

  @Test
  void anOpenDataDirectoryIsReportedOnce() throws Exception {
    Path data = root.resolve("open");
    Files.createDirectories(data);
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
    List<LogRecord> seen = new ArrayList<>();
    Handler h = new Handler() {
      @Override public void publish(LogRecord r) {
        if (r.getMessage().contains(data.toString())) {
          seen.add(r);
        }
      }
      @Override public void flush() {}
      @Override public void close() {}
    };
    Logger log = Logger.getLogger(PrivateFiles.class.getName());
    log.addHandler(h);
    try {
      PrivateFiles.directory(data);
      PrivateFiles.directory(data);
    } finally {
      log.removeHandler(h);
    }
    assertEquals(1, seen.size(), "warnings about " + data);
    assertEquals("rwxr-xr-x", perms(data), "an operator's permissions were changed");
  }

  @Test
  void onlyEmbeddedFileUrlsNameAFile() {
    assertEquals(Path.of("/x/db/s"), SteadfastDataSource.h2File("jdbc:h2:file:/x/db/s;A=B"));
    assertEquals(Path.of("/x/db/s"), SteadfastDataSource.h2File("jdbc:h2:/x/db/s"));
    assertNull(SteadfastDataSource.h2File("jdbc:h2:mem:test;DB_CLOSE_DELAY=-1"));
    assertNull(SteadfastDataSource.h2File("jdbc:h2:tcp://localhost/~/test"));
  }

  private static String perms(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
