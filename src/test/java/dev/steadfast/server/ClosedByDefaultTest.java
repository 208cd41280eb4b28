package dev.steadfast.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Item 14 of issue 12: private files, demos off outside the built-in database. */
class ClosedByDefaultTest {
  @TempDir Path tmp;

  @Test
  void theDataDirectoryAndSecretFilesAreCreatedPrivate() throws Exception {
    Path data = tmp.resolve("a/data");
    new Settings(new MapConfig().with("steadfast.data.dir", data.toString())).dataDir();
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
    String token = PrivateFiles.readOrCreate(data.resolve("api-token"), "sf_secret");
    assertEquals("sf_secret", token);
    assertEquals("rw-------", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(data.resolve("api-token"))));
    assertEquals("sf_secret", PrivateFiles.readOrCreate(data.resolve("api-token"), "other"),
        "an existing file is kept");
    try (var left = Files.list(data)) {
      assertEquals(List.of("api-token"), left.map(p -> p.getFileName().toString()).toList(),
          "no temporary file left behind");
    }
  }

  @Test
  void serversRacingToCreateTheTokenAgreeOnOne() throws Exception {
    Path file = tmp.resolve("api-token");
    Set<String> seen = ConcurrentHashMap.newKeySet();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String mine = "token-" + i;
      Thread t = new Thread(() -> seen.add(PrivateFiles.readOrCreate(file, mine)));
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join();
    }
    assertEquals(1, seen.size(), "two servers use different tokens: " + seen);
    assertEquals(seen.iterator().next(), Files.readString(file).trim());
  }

  @Test
  void existingFilesOpenToOthersAreReportedNotChanged() throws Exception {
    Path file = tmp.resolve("api-token");
    Files.writeString(file, "sf_open\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    List<String> warnings = new ArrayList<>();
    Handler h = new Handler() {
      @Override
      public void publish(LogRecord r) {
        warnings.add(r.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger log = Logger.getLogger(PrivateFiles.class.getName());
    log.addHandler(h);
    try {
      assertEquals("sf_open", PrivateFiles.readOrCreate(file, "new"));
    } finally {
      log.removeHandler(h);
    }
    assertTrue(warnings.stream().anyMatch(w -> w.contains(file.toString())
        && w.contains("rw-r--r--") && w.contains("chmod 600")), warnings.toString());
    assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
  }

  @Test
  void theDemosAreOnOnlyWithTheBuiltInDatabaseUnlessAskedFor() {
    String h2 = "jdbc:h2:file:./data/db/steadfast";
    assertTrue(new Settings(new MapConfig().withDefault("steadfast.db.url", h2))
        .examplesEnabled());
    assertFalse(new Settings(new MapConfig().withDefault("steadfast.db.url", h2)
        .with("steadfast.db.url", "jdbc:postgresql://db/steadfast")).examplesEnabled());
    assertTrue(new Settings(new MapConfig().with("steadfast.db.url", "jdbc:postgresql://db/s")
        .with("steadfast.examples.enabled", "true")).examplesEnabled());
    assertFalse(new Settings(new MapConfig().withDefault("steadfast.db.url", h2)
        .with("steadfast.examples.enabled", "false")).examplesEnabled());
  }
}
