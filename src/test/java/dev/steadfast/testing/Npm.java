package dev.steadfast.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Installs the pinned npm projects of the end-to-end tests (src/test/e2e/*). */
public final class Npm {
  private Npm() {}

  /**
   * {@code npm install} in {@code dir} unless {@code marker} (a package directory under
   * node_modules) is there already. Not {@code npm ci}: the lockfiles npm writes here leave out
   * other platforms' optional binaries, which npm ci refuses; install still follows the lock.
   */
  public static void install(Path dir, String marker) throws IOException, InterruptedException {
    // test classes run two at a time in two JVMs: one installs while the other waits (the
    // marker appears before npm has finished), and threads of one JVM take turns first (a file
    // lock belongs to the whole process)
    synchronized (Npm.class) {
      try (java.nio.channels.FileChannel lock = java.nio.channels.FileChannel.open(
              dir.resolve(".npm-install.lock"), java.nio.file.StandardOpenOption.CREATE,
              java.nio.file.StandardOpenOption.WRITE);
          java.nio.channels.FileLock held = lock.lock()) {
        installLocked(dir, marker);
      }
    }
  }

  private static void installLocked(Path dir, String marker)
      throws IOException, InterruptedException {
    if (Files.isDirectory(dir.resolve("node_modules").resolve(marker))) {
      return;
    }
    // output to a file, not inherited: a child writing to the forked test JVM's stdout corrupts
    // the channel failsafe reads its results from
    Path log = Files.createTempFile("npm-install", ".log");
    Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund")
        .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean done = npm.waitFor(600, TimeUnit.SECONDS);
    String output = Files.readString(log);
    System.out.println(output);
    if (!done || npm.exitValue() != 0) {
      throw new IllegalStateException("npm install failed in " + dir + ":\n" + output);
    }
  }
}
